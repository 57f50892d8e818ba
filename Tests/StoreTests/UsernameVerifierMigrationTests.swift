import Accounts
import Testing
@testable import Store

/// Migration 0021 on a database written by the previous build: who verified each username,
/// inferred as 0008 inferred email verifiers (review finding: the decision alone is gone after
/// retention, and an old partner-made user would have become the operator's).
@Suite struct UsernameVerifierMigrationTests {
    @Test("verified usernames get the creating provider, or the operator; unverified ones none", arguments: DatabaseKind.allCases)
    func backfill(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 20 }).migrate(database, now: 0)
            try database.write { connection in
                for (username, verified) in [("by-partner", 1), ("by-operator", 1), ("unverified", 0), ("long-ago", 1), ("renamed", 1)] {
                    try connection.execute(
                        """
                        INSERT INTO users (username, username_key, username_skeleton, username_verified, active, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 1, 0, 0)
                        """,
                        [.text(username), .text(username), .text(username), .integer(Int64(verified))]
                    )
                }
                try connection.execute(
                    """
                    INSERT INTO link_decisions (at, provider, issuer, subject, user_id, decision, rule)
                    VALUES (0, 'partner', 'https://partner.example', 'x1', 1, 'create', 'identifier.signup')
                    """
                )
                // Users 4 and 5: created by the partner's sign-ins long ago (their decisions gone
                // with retention, their provisioned identities kept); an operator renamed user 5.
                for (user, subject) in [(4, "x4"), (5, "x5")] {
                    try connection.execute(
                        """
                        INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at)
                        VALUES (?, 'partner', 'https://partner.example', ?, 'provisioned', 0)
                        """,
                        [.integer(Int64(user)), .text(subject)]
                    )
                }
                try connection.execute(
                    "INSERT INTO audit_log (at, event, user_id, detail, actor) VALUES (0, 'user.updated', 5, 'fields=email,username', 'cli')"
                )
            }
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 21 }).migrate(database, now: 0)
            let verifiers = try database.read { connection in
                try connection.query("SELECT username, username_verified_by FROM users ORDER BY id").map {
                    (try $0.string("username"), try $0.optionalString("username_verified_by"))
                }
            }
            #expect(verifiers.map(\.1) == ["provider:partner", "admin", nil, "provider:partner", "admin"], "\(verifiers)")
            // From now on the flag and its verifier go together, whatever writes them.
            #expect(throws: StoreError.self) {
                try database.write { try $0.execute("UPDATE users SET username_verified = 1 WHERE username = 'unverified'") }
            }
        }
    }
}
