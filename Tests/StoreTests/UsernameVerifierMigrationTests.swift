import Accounts
import Testing
@testable import Store

/// Migration 0021 on a database written by the previous build: who verified each username,
/// inferred from the decision that created its user, the operator's otherwise.
@Suite struct UsernameVerifierMigrationTests {
    @Test("verified usernames get the creating provider, or the operator; unverified ones none", arguments: DatabaseKind.allCases)
    func backfill(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 20 }).migrate(database, now: 0)
            try database.write { connection in
                for (username, verified) in [("by-partner", 1), ("by-operator", 1), ("unverified", 0)] {
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
            }
            try Migrator(migrations: EmbeddedMigrations.all).migrate(database, now: 0)
            let verifiers = try database.read { connection in
                try connection.query("SELECT username, username_verified_by FROM users ORDER BY id").map {
                    (try $0.string("username"), try $0.optionalString("username_verified_by"))
                }
            }
            #expect(verifiers.map(\.1) == ["provider:partner", "admin", nil], "\(verifiers)")
            // From now on the flag and its verifier go together, whatever writes them.
            #expect(throws: StoreError.self) {
                try database.write { try $0.execute("UPDATE users SET username_verified = 1 WHERE username = 'unverified'") }
            }
        }
    }
}
