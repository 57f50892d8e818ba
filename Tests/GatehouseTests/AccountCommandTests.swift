import Foundation
import Store
import Testing
import TestSupport

/// The operator commands about accounts, run as the built binary against a real SQLite file.
@Suite(.serialized) struct AccountCommandTests {
    let cli = CommandLineTests()

    /// A migrated database holding one user with a verified email and one identity, and a config
    /// whose provider `dev` links by email.
    struct Setup {
        let directory: URL
        let configPath: String
        let databasePath: String

        func count(_ table: String, where condition: String = "1") throws -> Int {
            let database = try Database(path: databasePath)
            defer { database.close() }
            return try database.read { try $0.queryOne("SELECT count(*) AS n FROM \(table) WHERE \(condition)")?.int("n") ?? 0 }
        }
    }

    func setUp(policy: String = #""user_matching_mode": "email_link""#, withIdentity: Bool = true) throws -> Setup {
        let directory = try temporaryDirectory()
        let databasePath = directory.appendingPathComponent("g.sqlite3").path
        let configPath = try cli.writeConfig(
            """
            {"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"}, "database": {"path": "\(databasePath)"},
             "providers": [{"slug": "dev", "name": "Dev", "issuer": "http://127.0.0.1:9400", "client_id": "c", "client_secret": "s", \(policy)}]}
            """, in: directory
        )
        #expect(try cli.run(["migrate", "--config", configPath]).status == 0)
        let database = try Database(path: databasePath)
        defer { database.close() }
        try database.write { connection in
            let user = try UserRepository(connection).create(
                username: "alice", email: "Alice@Example.com", emailVerifiedBy: .administrator, displayName: "Alice", now: 100
            )
            guard withIdentity else { return }
            _ = try IdentityRepository(connection).create(
                userID: user.id, provider: "dev", issuer: "https://old.example.com", subject: "alice-at-old",
                snapshot: IdentitySnapshot(email: "alice@example.com", emailVerified: true, claims: "{}"), method: .provisioned, now: 100
            )
        }
        return Setup(directory: directory, configPath: configPath, databasePath: databasePath)
    }

    func writeClaims(_ json: String, in setup: Setup) throws -> String {
        let path = setup.directory.appendingPathComponent("claims.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func simulateLoginExplainsAFirstTimeLinkAndWritesNothing() throws {
        let setup = try setUp(withIdentity: false)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let claims = try writeClaims(#"{"sub": "new-subject", "email": "alice@example.com", "email_verified": true}"#, in: setup)
        let before = FileManager.default.contents(atPath: setup.databasePath)
        let result = try cli.run(["simulate-login", "--config", setup.configPath, "--provider", "dev", "--claims", claims])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("decision: link"))
        #expect(result.output.contains("rule:     3.email_link.one_match.first_link"))
        #expect(result.output.contains("user:     #1"))
        #expect(try setup.count("identities") == 0)
        #expect(try setup.count("link_decisions") == 0)
        #expect(FileManager.default.contents(atPath: setup.databasePath) == before, "the database file is unchanged")
    }

    /// Issue 11's first reproduction, as it was reported: `simulate-login` with the dotless ı
    /// answered `link` for an address that is another's with `i` made dotless.
    @Test func simulateLoginDoesNotFoldADotlessIOntoAnotherUsersAddress() throws {
        let setup = try setUp(withIdentity: false)
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let dotless = try writeClaims(#"{"sub": "x", "email": "alıce@example.com", "email_verified": true}"#, in: setup)
        let upper = try writeClaims(#"{"sub": "x", "email": "ALİCE@example.com", "email_verified": true}"#, in: setup)
        for path in [dotless, upper] {
            let result = try cli.run(["simulate-login", "--config", setup.configPath, "--provider", "dev", "--claims", path])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("decision: create_user"), "\(result.output)")
            #expect(result.output.contains("matching users: none"))
        }
    }

    /// Seed 001's type confusion, asked before it happens: a string "true" is not verified.
    @Test func simulateLoginShowsADenyWithTheSentenceThePersonWouldRead() throws {
        let setup = try setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let claims = try writeClaims(#"{"sub": "attacker", "email": "alice@example.com", "email_verified": "true"}"#, in: setup)
        let result = try cli.run(["simulate-login", "--config", setup.configPath, "--provider", "dev", "--claims", claims, "--json"])
        #expect(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(json["decision"] as? String == "deny")
        #expect(json["reason"] as? String == "email_not_verified")
        #expect(json["email_verified"] as? Bool == false)
        #expect((json["message"] as? String)?.contains("not verified") == true)
    }

    @Test func simulateLoginRefusesBadInputClearly() throws {
        let setup = try setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let noSubject = try writeClaims(#"{"email": "a@b.c"}"#, in: setup)
        let missingSub = try cli.run(["simulate-login", "--config", setup.configPath, "--provider", "dev", "--claims", noSubject])
        #expect(missingSub.status == 2)
        #expect(missingSub.output.contains("\"sub\""))
        let unknown = try cli.run(["simulate-login", "--config", setup.configPath, "--provider", "nope", "--claims", noSubject])
        #expect(unknown.status == 2)
        #expect(unknown.output.contains("no provider with the slug"))
    }

    @Test func usersAndIdentitiesAreListedAsJSON() throws {
        let setup = try setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let users = try cli.run(["users", "list", "--config", setup.configPath, "--json"])
        #expect(users.status == 0, "\(users.output)")
        let userList = try #require(try JSONSerialization.jsonObject(with: Data(users.output.utf8)) as? [[String: Any]])
        #expect(userList.map { $0["username"] as? String } == ["alice"])
        #expect(userList.first?["email_verified"] as? Bool == true)
        let identities = try cli.run(["identities", "list", "--config", setup.configPath, "--user", "1", "--json"])
        #expect(identities.status == 0, "\(identities.output)")
        let identityList = try #require(try JSONSerialization.jsonObject(with: Data(identities.output.utf8)) as? [[String: Any]])
        #expect(identityList.map { $0["subject"] as? String } == ["alice-at-old"])
        #expect(identityList.first?["link_method"] as? String == "provisioned")
        // A user that does not exist is named as such, as the admin API answers 404 for it.
        let none = try cli.run(["identities", "list", "--config", setup.configPath, "--user", "2", "--json"])
        #expect(none.status == 1)
        #expect(none.output.trimmingCharacters(in: .whitespacesAndNewlines) == "gatehouse: no user 2")
    }

    @Test func rekeyIssuerMovesIdentitiesInOneRecordedTransaction() throws {
        let setup = try setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let moved = try cli.run([
            "identities", "rekey-issuer", "--config", setup.configPath, "--provider", "dev",
            "--from", "https://old.example.com", "--to", "http://127.0.0.1:9400",
        ])
        #expect(moved.status == 0, "\(moved.output)")
        #expect(moved.output.contains("moved 1 identity"))
        #expect(try setup.count("identities", where: "issuer = 'http://127.0.0.1:9400'") == 1)
        #expect(try setup.count("audit_log", where: "event = 'identities.issuer_rekeyed'") == 1)
    }

    @Test func rekeyIssuerRefusesACollisionAndChangesNothing() throws {
        let setup = try setUp()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let database = try Database(path: setup.databasePath)
        try database.write { connection in
            _ = try IdentityRepository(connection).create(
                userID: 1, provider: "dev", issuer: "https://new.example.com", subject: "alice-at-old",
                snapshot: IdentitySnapshot(email: nil, emailVerified: false, claims: "{}"), method: .admin, now: 100
            )
        }
        database.close()
        let refused = try cli.run([
            "identities", "rekey-issuer", "--config", setup.configPath, "--provider", "dev",
            "--from", "https://old.example.com", "--to", "https://new.example.com",
        ])
        #expect(refused.status == 1)
        #expect(refused.output.contains("nothing was changed"))
        #expect(try setup.count("identities", where: "issuer = 'https://old.example.com'") == 1)
        #expect(try setup.count("audit_log") == 0)
    }

    @Test func checkConfigRefusesAnUnsafeLinkingPolicyWithItsPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try cli.writeConfig(
            """
            {"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"},
             "providers": [{"slug": "dev", "name": "Dev", "issuer": "http://127.0.0.1:9400", "client_id": "c", "client_secret": "s",
                            "user_matching_mode": "email_link", "require_email_verified": false}]}
            """, in: directory
        )
        let result = try cli.run(["check-config", "--config", path])
        #expect(result.status == 2)
        #expect(result.output.contains("$.providers[0].require_email_verified: email_link must require a verified email"))
    }

    @Test func checkConfigWarnsAboutATrustedCustomClaim() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try cli.writeConfig(
            """
            {"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"},
             "providers": [{"slug": "entra", "name": "Entra ID", "issuer": "https://login.microsoftonline.com/t/v2.0", "client_id": "c",
                            "client_secret": "s", "user_matching_mode": "email_link", "email_claim": "upn", "email_claim_trusted": true}]}
            """, in: directory
        )
        let result = try cli.run(["check-config", "--config", path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("$.providers[0].email_claim_trusted: warning:"))
        #expect(result.output.contains("safe only when the provider's administrator, not the user, sets it"))
    }
}
