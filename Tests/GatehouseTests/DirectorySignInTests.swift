import Crypto
import Foundation
import Store
import Testing
import TestSupport
@testable import Gatehouse

/// Sign-in by bind through the real sign-in page, over real sockets, against a real slapd and
/// a real SQLite file: the identity keyed by entryUUID, the generic refusal, escaping,
/// renames and moves, and directory groups reaching forward-auth's `required_groups`.
@Suite(.serialized) struct DirectorySignInTests {
    static let moved = "ou=moved,\(SlapdServer.suffix)"
    static let ldif = DirectoryFixture.units
        + "dn: \(moved)\nobjectClass: organizationalUnit\nou: moved\n\n"
        + DirectoryFixture.person("alice", mail: "alice@example.org", password: "alice-pw", name: "Alice Liddell")
        + DirectoryFixture.person("bob", mail: "bob@example.org", password: "bob-pw")
        + DirectoryFixture.person("twin1", mail: "twins@example.org", password: "twin-pw")
        + DirectoryFixture.person("twin2", mail: "twins@example.org", password: "twin-pw")
        + DirectoryFixture.group("staff", members: ["alice"])

    final class Rig {
        let slapd: SlapdServer
        let gatehouse: RunningGatehouse
        let browser = BrowserClient()

        /// `directoryExtra` adds members to the directory object; `ldif` and `schema` replace
        /// the people and add attribute definitions (the Active Directory shape).
        /// `sections` adds top-level members (`, "login": {...}`).
        init(
            directoryExtra: String = "", ldif: String = DirectorySignInTests.ldif, schema: String = "", sections: String = "",
            clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
        ) throws {
            slapd = try SlapdServer(ldif: ldif, schema: schema)
            let port = try ExternalServer.freePort()
            let origin = "http://127.0.0.1:\(port)"
            do {
                gatehouse = try RunningGatehouse(
                    port: port, serverExtra: #", "trusted_proxies": ["127.0.0.1"], "metrics_require_token": false"#,
                    sections: """
                        , "directories": [{"slug": "corp", "name": "Corporate directory", "uris": ["\(slapd.uri)"],
                          "ca_file": "\(slapd.caFile)", "bind_dn": "\(SlapdServer.serviceDN)",
                          "bind_password": "\(SlapdServer.servicePassword)", "base_dn": "\(SlapdServer.suffix)",
                          "group_base_dn": "\(DirectoryFixture.groups)", "email_trusted": true\(directoryExtra)}],
                        "forward_auth": {"protected_hosts": [{"url": "\(origin)", "required_groups": ["staff"]}]}\(sections)
                        """,
                    clock: clock
                )
            } catch {
                slapd.stop()
                throw error
            }
        }

        func stop() {
            gatehouse.stop()
            slapd.stop()
        }

        var origin: String { gatehouse.origin }

        /// Opens /login, fills the form and posts it as the browser would; `from` is the client
        /// address the proxy on this machine forwards.
        func submit(_ identifier: String, _ password: String, browser: BrowserClient? = nil, from client: String? = nil) throws -> BrowserClient.Page {
            let browser = browser ?? self.browser
            return try postLoginForm(
                try browser.get("\(origin)/login"), identifier: identifier, password: password, origin: origin, browser: browser,
                headers: client.map { [("X-Forwarded-For", $0)] } ?? []
            )
        }

        func me(_ browser: BrowserClient? = nil) throws -> BrowserClient.Page {
            try (browser ?? self.browser).get("\(origin)/api/v1/me")
        }

        /// `/auth/verify` as a proxy on this machine asks it for the protected application.
        func verify(_ browser: BrowserClient? = nil) throws -> BrowserClient.Page {
            try (browser ?? self.browser).get("\(origin)/auth/verify", headers: [
                ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "127.0.0.1:\(gatehouse.port)"), ("X-Forwarded-Uri", "/app"),
            ])
        }

        func query(_ sql: String, columns: Int) throws -> [[String]] {
            try gatehouse.database.read { connection in
                try connection.query(sql).map { row in try (0..<columns).map { try row.optionalString(at: $0) ?? "" } }
            }
        }

        func count(_ table: String, where condition: String = "1") throws -> Int {
            try gatehouse.database.read { connection in
                try connection.queryOne("SELECT count(*) AS n FROM \(table) WHERE \(condition)")?.int("n") ?? 0
            }
        }

        func auditEvents() throws -> [(event: String, detail: String)] {
            try gatehouse.database.read { connection in
                try connection.query("SELECT event, detail FROM audit_log ORDER BY id").map { row in
                    (try row.string("event"), try row.optionalString("detail") ?? "")
                }
            }
        }

        /// The signed-in user's id as `/api/v1/me` reports it; the test fails when nobody is.
        func userID(of browser: BrowserClient? = nil) throws -> Int {
            let me = try self.me(browser)
            try #require(me.status == 200, "not signed in: \(me.text)")
            let object = try JSONSerialization.jsonObject(with: Data(me.text.utf8)) as? [String: Any]
            return try #require((object?["user"] as? [String: Any])?["id"] as? Int)
        }
    }

    private func withRig(directoryExtra: String = "", _ body: (Rig) throws -> Void) throws {
        let rig = try Rig(directoryExtra: directoryExtra)
        defer { rig.stop() }
        try body(rig)
    }

    @Test func signsInByUidAndByMailAsOneAccount() throws {
        try withRig { (rig: Rig) throws in
            let byUID = try rig.submit("alice", "alice-pw")
            #expect(byUID.status == 303, "\(byUID.text)")
            let me = try rig.me()
            #expect(me.status == 200)
            #expect(me.text.contains("alice@example.org"))
            let other = BrowserClient()
            #expect(try rig.submit("alice@example.org", "alice-pw", browser: other).status == 303)
            #expect(try rig.userID(of: other) == rig.userID())
            #expect(try rig.count("users") == 1)
            let identities = try rig.query("SELECT provider, issuer, subject FROM identities", columns: 3)
            #expect(identities.count == 1)
            #expect(identities.first?[0] == "corp")
            #expect(identities.first?[1] == "ldap:dc=example,dc=org")
            #expect(identities.first?[2].count == 36, "keyed by entryUUID, not by DN or uid")
            #expect(try rig.auditEvents().filter { $0.event == "sign_in.success" }.allSatisfy { $0.detail.contains("method=ldap; directory=corp") })
        }
    }

    @Test func aWrongPasswordAndAnUnknownPersonGetTheSameAnswer() throws {
        try withRig { (rig: Rig) throws in
            let wrong = try rig.submit("alice", "not-alices")
            let unknown = try rig.submit("mallory", "not-alices")
            #expect(wrong.status == 401)
            #expect(unknown.status == 401)
            #expect(wrong.text.contains(LoginSubmission.refusedSentence))
            #expect(unknown.text.contains(LoginSubmission.refusedSentence))
            #expect(try rig.me().status == 401)
            let failures = try rig.auditEvents().filter { $0.event == "login.failed" }
            #expect(failures.contains { $0.detail.contains("method=ldap; directory=corp; reason=wrong_password") })
            #expect(!failures.contains { $0.detail.contains("not-alices") }, "no password in the audit trail")
            #expect(try rig.count("users") == 0)
        }
    }

    /// Filter syntax typed as the identifier is literal text: it matches nobody. Unescaped,
    /// `alic*` and `al*ce` would find alice's one entry and her password would sign in.
    @Test(arguments: ["alic*", "al*ce", "*", "*)(uid=*", "alice)(|(uid=*"])
    func filterSyntaxInTheIdentifierMatchesNobody(_ typed: String) throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit(typed, "alice-pw").status == 401)
            #expect(try rig.count("users") == 0)
        }
    }

    /// An empty password never reaches a bind (it would be an unauthenticated bind, which
    /// succeeds): the form treats it as the identification step and nobody is signed in.
    @Test func anEmptyPasswordSignsNobodyIn() throws {
        try withRig { (rig: Rig) throws in
            let answer = try rig.submit("alice", "")
            #expect(answer.status == 200)
            #expect(answer.text.contains("Enter your password."))
            #expect(try rig.me().status == 401)
            #expect(try rig.count("users") == 0)
        }
    }

    /// Two entries share the address: a refusal, never the first of them.
    @Test func severalEntriesMatchingIsARefusal() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("twins@example.org", "twin-pw").status == 401)
            #expect(try rig.auditEvents().contains { $0.detail.contains("reason=ambiguous_identifier") })
            #expect(try rig.submit("twin1", "twin-pw").status == 303, "the uid alone names one entry")
        }
    }

    /// Renamed and moved to another OU: a new DN and uid, the same entryUUID, the same account.
    @Test func aRenamedAndMovedPersonKeepsTheirAccount() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            let before = try rig.userID()
            try rig.slapd.modify("""
                dn: uid=alice,\(DirectoryFixture.people)
                changetype: modrdn
                newrdn: uid=alice.liddell
                deleteoldrdn: 1
                newsuperior: \(Self.moved)

                """)
            let later = BrowserClient()
            #expect(try rig.submit("alice", "alice-pw", browser: later).status == 401, "the old uid is gone")
            #expect(try rig.submit("alice.liddell", "alice-pw", browser: later).status == 303)
            #expect(try rig.userID(of: later) == before)
            #expect(try rig.count("identities") == 1)
        }
    }

    /// Deleted and re-created with the same uid: a new entryUUID, so a new identity; the
    /// linking rules (identifier matching, the default) never hand it the old account.
    @Test func aRecreatedEntryIsANewIdentity() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("bob", "bob-pw").status == 303)
            let before = try rig.userID()
            try rig.slapd.modify("""
                dn: uid=bob,\(DirectoryFixture.people)
                changetype: delete

                """)
            try rig.slapd.modify("dn: uid=bob,\(DirectoryFixture.people)\nchangetype: add\nobjectClass: inetOrgPerson\nuid: bob\ncn: bob\nsn: bob\nuserPassword: bob-pw\nmail: bob@example.org\n")
            let later = BrowserClient()
            #expect(try rig.submit("bob", "bob-pw", browser: later).status == 303)
            #expect(try rig.userID(of: later) != before)
            #expect(try rig.query("SELECT username FROM users ORDER BY id", columns: 1) == [["bob"], ["bob-2"]])
            #expect(try rig.count("identities") == 2)
        }
    }

    /// Directory groups become the session's groups: alice (in staff) passes the protected
    /// host's `required_groups`, bob (in none) is refused.
    @Test func directoryGroupsReachRequiredGroups() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            let alice = try rig.verify()
            #expect(alice.status == 200, "\(alice.text)")
            let bobBrowser = BrowserClient()
            #expect(try rig.submit("bob", "bob-pw", browser: bobBrowser).status == 303)
            #expect(try rig.verify(bobBrowser).status == 403)
        }
    }

    /// With local passwords off the page still has its password field, for the directory.
    @Test func directoriesAloneKeepThePasswordField() throws {
        let rig = try Rig(sections: #", "login": {"local_passwords": false}"#)
        defer { rig.stop() }
        #expect(try rig.submit("alice", "alice-pw").status == 303)
    }

    /// `login.password_order`: the first source that holds the identifier decides. A local
    /// alice with her own password and a directory alice: by default the local account
    /// answers; with the directory first, the directory does.
    @Test(arguments: [(order: "", winner: "alice-local"), (order: #", "password_order": ["corp", "local"]"#, winner: "alice-pw")])
    func thePasswordOrderDecidesWhoAnswers(_ row: (order: String, winner: String)) throws {
        let rig = try Rig(sections: #", "login": {"local_passwords": true\#(row.order)}"#)
        defer { rig.stop() }
        let hash = try PasswordHash.make(password: Array("alice-local".utf8), parameters: PasswordLoginTests.testParameters)
        try rig.gatehouse.database.write { connection in
            let user = try UserRepository(connection).create(username: "alice", email: nil, emailVerifiedBy: nil, displayName: nil, now: 1)
            try UserRepository(connection).setPasswordHash(userID: user.id, hash: hash, now: 1)
        }
        for password in ["alice-local", "alice-pw"] {
            let answer = try rig.submit("alice", password, browser: BrowserClient())
            #expect(answer.status == (password == row.winner ? 303 : 401), "\(password)")
        }
    }

    /// With `pretend_unknown_users_exist` off, the identification step still never tells a
    /// directory person there is no account: it knows local accounts only, so it asks for the password.
    @Test func theIdentificationStepAsksDirectoryPeopleForTheirPassword() throws {
        let rig = try Rig(sections: #", "login": {"pretend_unknown_users_exist": false}"#)
        defer { rig.stop() }
        let answer = try rig.submit("alice", "")
        #expect(answer.status == 200)
        #expect(answer.text.contains("Enter your password."))
    }

    /// A directory group whose name holds a comma would read as two groups in the comma-joined
    /// `X-Auth-Request-Groups` (`x,staff` as `staff`): it is dropped, at sign-in and at sync.
    @Test func aGroupNameWithACommaIsDropped() throws {
        let ldif = DirectorySignInTests.ldif + "dn: cn=x\\,staff,\(DirectoryFixture.groups)\nobjectClass: groupOfNames\ncn: x,staff\n"
            + "member: uid=bob,\(DirectoryFixture.people)\n\n"
        let rig = try Rig(ldif: ldif)
        defer { rig.stop() }
        #expect(try rig.submit("bob", "bob-pw").status == 303)
        #expect(try rig.query("SELECT groups FROM sessions WHERE revoked_at IS NULL AND user_id IS NOT NULL", columns: 1) == [[""]])
        _ = try rig.gatehouse.app.administration.syncDirectory("corp", dryRun: false, by: .commandLine)
        #expect(try rig.query("SELECT groups FROM sessions WHERE revoked_at IS NULL AND user_id IS NOT NULL", columns: 1) == [[""]])
    }
}
