import Testing
import Store

/// A migrated database of `kind`, ready for the repositories.
private func withMigratedDatabase<T>(_ kind: DatabaseKind, _ body: (Database) throws -> T) throws -> T {
    try withDatabase(kind) { database in
        try Migrator().migrate(database, now: 0)
        return try body(database)
    }
}

/// A distinct 32-byte token hash per seed (the schema requires SHA-256 length).
private func tokenHash(_ seed: UInt8) -> [UInt8] {
    [UInt8](repeating: seed, count: 32)
}

@Suite("UserRepository")
struct UserRepositoryTests {
    @Test(arguments: DatabaseKind.allCases)
    func createAndFind(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let created = try database.write { try UserRepository($0).create(username: "Alice", email: "a@example.com", displayName: "Alice A", now: 50) }
            #expect(created.isActive)
            #expect(created.createdAt == 50 && created.updatedAt == 50)
            try database.read { (connection) throws in
                let users = UserRepository(connection)
                #expect(try users.find(id: created.id) == created)
                #expect(try users.matching(usernameKey: "alice") == [created], "the username key folds ASCII case")
                #expect(try users.matching(usernameKey: "bob").isEmpty)
                #expect(try users.find(id: created.id + 1) == nil)
            }
        }
    }

    /// A directory sync deactivates on an earlier snapshot: a user already inactive (or gone)
    /// is left as it is, so the trail gets no second deactivation.
    @Test(arguments: DatabaseKind.allCases)
    func deactivateIfActiveLeavesAnInactiveUserAlone(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let user = try database.write { try UserRepository($0).create(username: "alice", email: nil, displayName: nil, now: 1) }
            #expect(try database.write { try UserRepository($0).deactivateIfActive(id: user.id, now: 2) })
            #expect(try !database.write { try UserRepository($0).deactivateIfActive(id: user.id, now: 3) })
            #expect(try !database.write { try UserRepository($0).deactivateIfActive(id: user.id + 1, now: 3) })
            let found = try database.read { try UserRepository($0).find(id: user.id) }
            #expect(found?.isActive == false && found?.updatedAt == 2)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func usernamesAreUniqueIgnoringCase(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            _ = try database.write { try UserRepository($0).create(username: "alice", email: nil, displayName: nil, now: 1) }
            let duplicate = storeError {
                _ = try database.write { try UserRepository($0).create(username: "ALICE", email: nil, displayName: nil, now: 2) }
            }
            #expect(duplicate?.code == .confusableUsername)
            let empty = storeError {
                _ = try database.write { try UserRepository($0).create(username: "", email: nil, displayName: nil, now: 2) }
            }
            #expect(empty?.code == .checkViolation)
        }
    }
}

@Suite("SessionRepository")
struct SessionRepositoryTests {
    /// Created at 1000: idle expiry 1100, absolute expiry 2000.
    static let createdAt: Int64 = 1000
    static let idle: Int64 = 100
    static let absolute: Int64 = 1000

    private func createSession(_ database: Database, seed: UInt8 = 1, userID: Int64? = nil) throws -> SessionRecord {
        try database.write { connection in
            try SessionRepository(connection).create(
                tokenHash: tokenHash(seed), userID: userID, now: Self.createdAt,
                idleLifetime: Self.idle, absoluteLifetime: Self.absolute,
                details: SessionDetails(authenticatedAt: Self.createdAt, provider: "local", userAgent: "test", clientAddress: "127.0.0.1")
            )
        }
    }

    private func findActive(_ database: Database, seed: UInt8 = 1, now: Int64) throws -> SessionRecord? {
        try database.read { try SessionRepository($0).findActive(tokenHash: tokenHash(seed), now: now) }
    }

    private func touch(_ database: Database, seed: UInt8 = 1, now: Int64, minimumInterval: Int64 = 60) throws -> Bool {
        try database.write { try SessionRepository($0).touch(tokenHash: tokenHash(seed), now: now, idleLifetime: Self.idle, minimumInterval: minimumInterval) }
    }

    @Test(arguments: DatabaseKind.allCases)
    func createdSessionIsFound(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let created = try createSession(database)
            #expect(created.idleExpiresAt == 1100)
            #expect(created.absoluteExpiresAt == 2000)
            #expect(try findActive(database, now: 1000) == created)
            #expect(try findActive(database, seed: 2, now: 1000) == nil, "an unknown hash finds nothing")
        }
    }

    @Test("idle expiry: the expiry instant itself is expired", arguments: DatabaseKind.allCases)
    func idleExpiry(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            _ = try createSession(database)
            #expect(try findActive(database, now: 1099) != nil)
            #expect(try findActive(database, now: 1100) == nil)
            #expect(try !touch(database, now: 1100), "an expired session cannot be revived by a touch")
            #expect(try findActive(database, now: 1100) == nil)
        }
    }

    @Test("touch writes at most once per interval and extends the idle expiry", arguments: DatabaseKind.allCases)
    func touchIsThrottled(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let created = try createSession(database)
            #expect(!created.needsTouch(at: 1059, minimumInterval: 60))
            #expect(try !touch(database, now: 1059), "59 s after the last write: no write")
            #expect(created.needsTouch(at: 1060, minimumInterval: 60))
            #expect(try touch(database, now: 1060))
            let touched = try #require(try findActive(database, now: 1150))
            #expect(touched.lastSeenAt == 1060)
            #expect(touched.idleExpiresAt == 1160)
            #expect(try !touch(database, now: 1100), "40 s after the touch: no write")
        }
    }

    @Test("absolute expiry wins over any number of touches", arguments: DatabaseKind.allCases)
    func absoluteExpiry(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            _ = try createSession(database)
            for now in stride(from: Int64(1060), through: 1980, by: 60) {
                #expect(try touch(database, now: now))
            }
            let late = try #require(try findActive(database, now: 1999))
            #expect(late.idleExpiresAt == 2000, "the idle expiry is capped at the absolute expiry")
            #expect(try findActive(database, now: 2000) == nil)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func revocation(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let user = try database.write { try UserRepository($0).create(username: "u", email: nil, displayName: nil, now: 1) }
            for seed in UInt8(1)...3 { _ = try createSession(database, seed: seed, userID: user.id) }
            _ = try createSession(database, seed: 4)

            #expect(try database.write { try SessionRepository($0).revoke(tokenHash: tokenHash(1), now: 1010) })
            #expect(try findActive(database, seed: 1, now: 1010) == nil)
            #expect(try !database.write { try SessionRepository($0).revoke(tokenHash: tokenHash(1), now: 1011) }, "already revoked")

            #expect(try database.write { try SessionRepository($0).revokeAll(userID: user.id, now: 1020) } == 2)
            #expect(try findActive(database, seed: 2, now: 1020) == nil)
            #expect(try findActive(database, seed: 3, now: 1020) == nil)
            #expect(try findActive(database, seed: 4, now: 1020) != nil, "another user's (anonymous) session is untouched")
        }
    }

    @Test("a deactivated user's sessions are no longer active", arguments: DatabaseKind.allCases)
    func deactivatedUser(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let user = try database.write { try UserRepository($0).create(username: "u", email: nil, displayName: nil, now: 1) }
            _ = try createSession(database, userID: user.id)
            #expect(try findActive(database, now: 1001) != nil)
            try database.write { try $0.execute("UPDATE users SET active = 0 WHERE id = ?", [.integer(user.id)]) }
            #expect(try findActive(database, now: 1001) == nil)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func deleteExpiredKeepsOnlyUsableSessions(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            _ = try createSession(database, seed: 1)           // idle-expires at 1100
            _ = try createSession(database, seed: 2)           // touched: lives until 1160
            _ = try createSession(database, seed: 3)           // revoked
            #expect(try touch(database, seed: 2, now: 1060))
            _ = try database.write { try SessionRepository($0).revoke(tokenHash: tokenHash(3), now: 1061) }
            // A walk by id, two sessions a step: the first step ends where the next begins, and
            // the step that reaches the last session says so.
            let first = try database.write { try SessionRepository($0).deleteExpired(now: 1100, after: 0, limit: 2) }
            #expect(first.deleted == 1 && first.resumeAfter == 2)
            let second = try database.write { try SessionRepository($0).deleteExpired(now: 1100, after: 2, limit: 2) }
            #expect(second.deleted == 1 && second.resumeAfter == nil)
            #expect(try findActive(database, seed: 2, now: 1100) != nil)
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM sessions")?.int64(at: 0) } == 1)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func schemaGuardsSessions(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            // Only a 32-byte SHA-256 may be stored, never something that looks like a raw cookie value.
            let shortHash = storeError {
                _ = try database.write { try SessionRepository($0).create(tokenHash: [1, 2, 3], userID: nil, now: 0, idleLifetime: 1, absoluteLifetime: 1) }
            }
            #expect(shortHash?.code == .checkViolation)
            let noUser = storeError { _ = try createSession(database, userID: 42) }
            #expect(noUser?.code == .foreignKeyViolation)
            _ = try createSession(database, seed: 9)
            let sameHash = storeError { _ = try createSession(database, seed: 9) }
            #expect(sameHash?.code == .uniqueViolation)

            // Deleting a user deletes their sessions.
            let user = try database.write { try UserRepository($0).create(username: "gone", email: nil, displayName: nil, now: 1) }
            _ = try createSession(database, seed: 10, userID: user.id)
            try database.write { try $0.execute("DELETE FROM users WHERE id = ?", [.integer(user.id)]) }
            let remaining = try database.read { try $0.queryOne("SELECT count(*) FROM sessions WHERE token_hash = ?", [.blob(tokenHash(10))])?.int64(at: 0) }
            #expect(remaining == 0)
        }
    }

    @Test("absurd lifetimes saturate instead of trapping")
    func lifetimesSaturate() throws {
        try withMigratedDatabase(.memory) { database in
            let session = try database.write {
                try SessionRepository($0).create(tokenHash: tokenHash(1), userID: nil, now: .max - 5, idleLifetime: .max, absoluteLifetime: .max)
            }
            #expect(session.absoluteExpiresAt == .max)
            #expect(session.idleExpiresAt == .max)
        }
    }
}

@Suite("AuditLogRepository")
struct AuditLogRepositoryTests {
    @Test(arguments: DatabaseKind.allCases)
    func appendRecordsEvents(_ kind: DatabaseKind) throws {
        try withMigratedDatabase(kind) { database in
            let first = try database.write { try AuditLogRepository($0).append(.signedOut, now: 10, requestID: "req-1") }
            let second = try database.write {
                try AuditLogRepository($0).append(.signInSucceeded, now: 11, userID: 7, requestID: "req-2", detail: "provider=local")
            }
            #expect(second > first)
            let rows = try database.read { try $0.query("SELECT at, event, user_id, request_id, detail FROM audit_log ORDER BY id") }
            #expect(rows.map(\.values) == [
                [.integer(10), .text("sign_out"), .null, .text("req-1"), .null],
                [.integer(11), .text("sign_in.success"), .integer(7), .text("req-2"), .text("provider=local")],
            ])
        }
    }
}
