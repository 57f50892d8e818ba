import Accounts
import Testing
@testable import Store

/// Migration 0008 on a database written by the previous build: keys recomputed by the one
/// matching-key function, collisions recorded and never merged, who verified each address
/// inferred, and look-alike usernames refused from then on.
@Suite struct MatchingKeyMigrationTests {
    /// A database at version 7 (the previous build's schema), filled as that build filled it:
    /// `email_key` was `uppercased().lowercased()` of the address, bytes as they came.
    private func previousBuildDatabase(_ kind: DatabaseKind, _ body: (Database) throws -> Void) throws {
        try withDatabase(kind) { database in
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 7 }).migrate(database, now: 0)
            try database.write { connection in
                let rows: [(String, String?, Int)] = [
                    ("admin", "admin@github.com", 1),  // 1: an operator's user
                    ("elodie", "élodie@exemple.fr", 1),  // 2: precomposed é
                    ("elodie2", "e\u{0301}lodie@exemple.fr", 1),  // 3: the same address, decomposed
                    ("provisioned", "p@example.com", 1),  // 4: made by a provider sign-in
                    ("svc:deploy", "svc@example.com", 0),  // 5: a name with a colon
                ]
                for (username, email, verified) in rows {
                    try connection.execute(
                        """
                        INSERT INTO users (username, username_key, email, email_key, email_verified, created_at, updated_at)
                        VALUES (?, lower(?), ?, ?, ?, 0, 0)
                        """,
                        [.text(username), .text(username), SQLValue(email), SQLValue(email?.uppercased().lowercased()), .integer(Int64(verified))]
                    )
                }
                try connection.execute(
                    "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (4, 'dev', 'https://idp', 's', 'provisioned', 0)"
                )
            }
            try body(database)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func keysAreRecomputedAndCollisionsRecorded(_ kind: DatabaseKind) throws {
        try previousBuildDatabase(kind) { database in
            let before = try database.read { try $0.query("SELECT email_key FROM users WHERE id IN (2, 3) ORDER BY id").map { try $0.string(at: 0) } }
            #expect(Array(before[0].utf8) != Array(before[1].utf8), "the previous keys kept the bytes as they came: the database never saw the two as one")
            // Up to 0022: 0023 then leaves one of the two verified (VerifiedEmailOneOwnerMigrationTests).
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 22 }).migrate(database, now: 0)
            try database.read { connection in
                let users = UserRepository(connection)
                let elodies = try users.matching(emailKey: "élodie@exemple.fr")
                #expect(elodies.map(\.id) == [2, 3], "NFC makes one key of both spellings")
                let collisions = try connection.query("SELECT user_id, detail FROM audit_log WHERE event = 'migration.key_collision'")
                    .map { (try $0.optionalInt64("user_id"), try $0.string("detail")) }
                #expect(collisions.contains { $0.0 == 2 && $0.1 == "key=email_key; users=2,3" })
                #expect(try users.find(id: 1)?.emailVerifiedBy == .administrator)
                #expect(try users.find(id: 4)?.emailVerifiedBy == .provider("dev"), "the provider whose sign-in made the user")
                #expect(try users.find(id: 5)?.emailVerifiedBy == nil)
                #expect(try users.find(id: 1)?.usernameVerified == true, "an operator chose it")
                #expect(try users.find(id: 4)?.usernameVerified == false, "a claim chose it, untrusted as recorded")
                #expect(try users.find(id: 5)?.usernameVerified == false, "a colon never names a verified user")
            }
            // Not merged: the two stay, and a verified sign-in with the address matches both.
            let view = try database.read { connection in
                StoreView(candidates: try UserRepository(connection).matching(emailKey: "élodie@exemple.fr").map { user in
                    CandidateUser(user: KnownUser(
                        id: user.id, isActive: user.isActive, email: user.email, emailKey: user.emailKey,
                        emailVerifiedBy: user.emailVerifiedBy, username: user.username, usernameKey: user.usernameKey,
                        usernameVerifiedBy: user.usernameVerifiedBy
                    ))
                })
            }
            let identity = try IncomingIdentity(
                provider: "corp", issuer: "https://idp", subject: "new",
                claims: ["email": .string("élodie@exemple.fr"), "email_verified": .bool(true)]
            )
            let decision = LinkingEngine.decide(identity: identity, policy: ProviderPolicy(userMatchingMode: .emailLink), store: view)
            #expect(decision.denyReason?.code == .ambiguousMatch)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func aLookAlikeOfAnExistingUsernameIsRefusedAfterTheMigration(_ kind: DatabaseKind) throws {
        try previousBuildDatabase(kind) { database in
            try Migrator().migrate(database, now: 0)
            let refused = storeError {
                _ = try database.write { try UserRepository($0).create(username: "\u{0430}dmin", email: nil, displayName: nil, now: 1) }
            }
            #expect(refused?.code == .confusableUsername)
        }
    }
}
