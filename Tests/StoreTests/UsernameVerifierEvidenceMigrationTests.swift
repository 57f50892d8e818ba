import Accounts
import Testing
@testable import Store

/// Migration 0022: a username 0021 gave to an operator only for want of other evidence stays
/// the operator's only when the trail shows an operator chose it (review finding: a partner-made
/// user whose partner identity was removed, and whose creation records retention deleted,
/// became the operator's, which every provider with `username_link` accepts). Without evidence
/// the verifier names no provider, and the username stays verified (a second review: clearing
/// it changed who applications behind forward-auth saw).
@Suite struct UsernameVerifierEvidenceMigrationTests {
    /// One user as the build before 0021 could leave it: a verified username, what is left of
    /// how the account was made, and the verifier 0022 must end with.
    private struct Account {
        let username: String
        var createdAt: Int64 = 100
        var password = false
        /// (provider, link_method) of each identity.
        var identities: [(String, String)] = []
        /// (at, event, detail) of each audit entry retention kept.
        var entries: [(Int64, String, String)] = []
        let expected: String?
    }

    private static let accounts = [
        // The finding: made by the partner, linked to google from the account page, the
        // partner's identity removed, the decision and entries gone with retention.
        Account(username: "partner-made", identities: [("google", "account_page")], expected: "provider:(unknown)"),
        // A password or an identity an operator added says nothing of who chose the username.
        Account(username: "with-password", password: true, identities: [("google", "account_page")], expected: "provider:(unknown)"),
        // Shown by the operator's `user.created` entry.
        Account(username: "operator-created", identities: [("google", "account_page")],
                entries: [(150, "user.created", "username=operator-created")], expected: "admin"),
        Account(username: "operator-linked", identities: [("google", "admin")], expected: "provider:(unknown)"),
        Account(username: "no-identity", expected: "provider:(unknown)"),
        // An id given again before 0011: the earlier holder's rename predates this user, who a
        // partner sign-in created.
        Account(username: "reused-id", createdAt: 700, identities: [("partner", "provisioned")],
                entries: [(500, "user.updated", "fields=username")], expected: "provider:partner"),
        // A partner-made user an operator renamed later: the operator's, as 0021 said.
        Account(username: "renamed", identities: [("partner", "provisioned")],
                entries: [(800, "user.updated", "fields=email,username")], expected: "admin"),
    ]

    @Test("verifiers 0021 inferred for want of evidence are inferred again from the account's own lifetime", arguments: DatabaseKind.allCases)
    func reinferred(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 20 }).migrate(database, now: 0)
            try database.write { connection in
                for (index, account) in Self.accounts.enumerated() {
                    let id = Int64(index + 1)
                    try connection.execute(
                        """
                        INSERT INTO users (id, username, username_key, username_skeleton, username_verified, password_hash, active, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 1, ?, 1, ?, ?)
                        """,
                        [.integer(id), .text(account.username), .text(account.username), .text(account.username),
                         account.password ? .text("$scrypt$ln=14,r=8,p=5$c2FsdA$aGFzaA") : .null, .integer(account.createdAt), .integer(account.createdAt)]
                    )
                    for (provider, method) in account.identities {
                        try connection.execute(
                            "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (?, ?, ?, ?, ?, ?)",
                            [.integer(id), .text(provider), .text("https://\(provider).example"), .text("s\(id)"), .text(method), .integer(account.createdAt)]
                        )
                    }
                    for (at, event, detail) in account.entries {
                        try connection.execute(
                            "INSERT INTO audit_log (at, event, user_id, detail, actor) VALUES (?, ?, ?, ?, 'cli')",
                            [.integer(at), .text(event), .integer(id), .text(detail)]
                        )
                    }
                }
            }
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 21 }).migrate(database, now: 0)
            let after0021 = try Self.verifiers(database)
            #expect(after0021["partner-made"] == "admin", "0021's fallback, which 0022 mends")
            #expect(after0021["reused-id"] == "admin", "0021 read the earlier holder's rename")

            try Migrator(migrations: EmbeddedMigrations.all).migrate(database, now: 0)
            let after = try Self.verifiers(database)
            for account in Self.accounts {
                #expect(after[account.username] == account.expected, "\(account.username): \(after[account.username] ?? "none")")
            }
            let recorded = try database.read { connection in
                try connection.query(
                    "SELECT users.username FROM audit_log JOIN users ON users.id = audit_log.user_id WHERE event = 'migration.username_verifier_unknown' ORDER BY users.id"
                ).map { try $0.string("username") }
            }
            #expect(recorded == ["partner-made", "with-password", "operator-linked", "no-identity"], "each user left without a known verifier is recorded, and only those")
            #expect(AuditEvent(rawValue: "migration.username_verifier_unknown") == .usernameVerifierUnknown, "the trail can read the entry")
            // Every username stays verified: forward-auth's Remote-User does not change.
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM users WHERE username_verified = 1")?.int64(at: 0) } == Int64(Self.accounts.count))
            // The unknown verifier names no provider: no provider's username matching takes it,
            // whatever it lists (a listed name is a configured slug, which has no parentheses).
            let unknown = try #require(EmailVerifier(stored: "provider:(unknown)"))
            let policy = ProviderPolicy(userMatchingMode: .usernameLink, usernameClaimTrusted: true, acceptUsernameVerifiedBy: ["partner", "google"])
            #expect(!policy.acceptsUsername(verifiedBy: unknown, linkingFor: "partner"))
            #expect(!policy.acceptsUsername(verifiedBy: unknown, linkingFor: "google"))
        }
    }

    private static func verifiers(_ database: Database) throws -> [String: String] {
        try database.read { connection in
            var verifiers: [String: String] = [:]
            for row in try connection.query("SELECT username, username_verified_by FROM users") {
                verifiers[try row.string("username")] = try row.optionalString("username_verified_by")
            }
            return verifiers
        }
    }
}
