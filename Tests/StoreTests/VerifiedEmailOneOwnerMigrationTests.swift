import Testing
@testable import Store

/// Migration 0023: a verified address has one owner. Where several users held one address
/// verified (a sign-up through a provider another does not accept could make a second holder,
/// review finding), one keeps it: an operator's verification first, then the oldest user. The
/// others keep the address unverified and are recorded, and the database refuses a second
/// verified holder from then on.
@Suite struct VerifiedEmailOneOwnerMigrationTests {
    @Test("one verified holder per address is left, an active one and an operator's first; the others are unverified and recorded", arguments: DatabaseKind.allCases)
    func oneOwnerIsLeft(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 22 }).migrate(database, now: 0)
            // (username, email key, verifier): three verified holders of one address, two of
            // another with no operator among them, one sole holder, one unverified duplicate.
            // (username, email key, verifier, active)
            let users: [(String, String, String?, Bool)] = [
                ("minted-first", "alice@example.com", "provider:dev", true),
                ("operator-verified", "alice@example.com", "admin", true),
                ("corp-later", "alice@example.com", "provider:corp", true),
                ("bob-old", "bob@example.com", "provider:dev", true),
                ("bob-new", "bob@example.com", "provider:corp", true),
                ("carol", "carol@example.com", "provider:dev", true),
                ("carol-unverified", "carol@example.com", nil, true),
                ("dave-deactivated", "dave@example.com", "admin", false),
                ("dave", "dave@example.com", "provider:dev", true),
            ]
            try database.write { connection in
                for (index, (username, email, verifier, active)) in users.enumerated() {
                    try connection.execute(
                        """
                        INSERT INTO users (id, username, username_key, username_skeleton, email, email_key, email_verified, email_verified_by, active, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1)
                        """,
                        [.integer(Int64(index + 1)), .text(username), .text(username), .text(username), .text(email), .text(email),
                         .integer(verifier == nil ? 0 : 1), verifier.map(SQLValue.text) ?? .null, .integer(active ? 1 : 0)]
                    )
                }
            }
            try Migrator(migrations: EmbeddedMigrations.all).migrate(database, now: 0)
            let verifiers = try database.read { connection in
                try connection.query("SELECT username, email_verified_by FROM users ORDER BY id").map {
                    (try $0.string("username"), try $0.optionalString("email_verified_by"))
                }
            }
            #expect(verifiers.map(\.0) == users.map(\.0), "every user and address is kept")
            #expect(verifiers.map(\.1) == [nil, "admin", nil, "provider:dev", nil, "provider:dev", nil, nil, "provider:dev"])
            let recorded = try database.read { connection in
                try connection.query(
                    "SELECT users.username, audit_log.detail FROM audit_log JOIN users ON users.id = audit_log.user_id WHERE event = 'migration.verified_email_duplicate' ORDER BY users.id"
                ).map { "\(try $0.string("username")): \(try $0.string("detail"))" }
            }
            #expect(recorded == [
                "minted-first: reason=another user holds this address verified; kept_by=2",
                "corp-later: reason=another user holds this address verified; kept_by=2",
                "bob-new: reason=another user holds this address verified; kept_by=4",
                "dave-deactivated: reason=another user holds this address verified; kept_by=9",
            ])
            #expect(AuditEvent(rawValue: "migration.verified_email_duplicate") == .verifiedEmailDuplicate, "the trail can read the entry")
            // From now on a second verified holder is refused, however the row is written, and
            // the repository names the refusal for what it is (not as a username taken).
            #expect(throws: StoreError.self) {
                try database.write { connection in
                    try connection.execute("UPDATE users SET email_verified = 1, email_verified_by = 'admin' WHERE username = 'carol-unverified'")
                }
            }
            let refusal = try database.write { connection -> StoreError.Code? in
                do {
                    _ = try UserRepository(connection).create(
                        username: "carol-again", email: "carol@example.com", emailVerifiedBy: .administrator, displayName: nil, now: 2
                    )
                    return nil
                } catch let error as StoreError {
                    return error.code
                }
            }
            #expect(refusal == .verifiedEmailTaken)
        }
    }
}
