import Testing
import Store

/// `SessionRepository.findForwardAuth`: the one read behind `GET /auth/verify`, and the groups
/// column (migration 0006) it returns.
@Suite("SessionRepository.findForwardAuth")
struct ForwardAuthLookupTests {
    private static let hash = [UInt8](repeating: 7, count: 32)

    /// A migrated database with one user and, when `signedIn`, a session of theirs created at 1000
    /// (idle lifetime 100, absolute 500).
    private func withSession<T>(
        _ kind: DatabaseKind, groups: [String] = [], signedIn: Bool = true, verified: Bool = false,
        _ body: (Database, Int64) throws -> T
    ) throws -> T {
        try withDatabase(kind) { database in
            try Migrator().migrate(database, now: 0)
            let user = try database.write {
                try UserRepository($0).create(
                    username: "alice", email: "alice@example.com", emailVerifiedBy: verified ? .administrator : nil,
                    usernameVerifiedBy: verified ? .administrator : nil, displayName: "Alice", now: 1
                )
            }
            _ = try database.write {
                try SessionRepository($0).create(
                    tokenHash: Self.hash, userID: signedIn ? user.id : nil, now: 1000, idleLifetime: 100, absoluteLifetime: 500,
                    details: SessionDetails(groups: groups)
                )
            }
            return try body(database, user.id)
        }
    }

    private func find(_ database: Database, now: Int64) throws -> ForwardAuthSession? {
        try database.read { try SessionRepository($0).findForwardAuth(tokenHash: Self.hash, now: now) }
    }

    @Test(arguments: DatabaseKind.allCases)
    func aUsableSessionComesWithItsUserAndGroups(_ kind: DatabaseKind) throws {
        try withSession(kind, groups: ["staff", "wiki editors"]) { (database, userID) throws in
            let found = try #require(try find(database, now: 1050))
            #expect(found == ForwardAuthSession(
                userID: userID, verifiedUsername: nil, verifiedEmail: nil, verifiedEmailKey: nil,
                storedGroups: "staff\nwiki editors", lastSeenAt: 1000
            ), "neither the username nor the email is verified: neither is given out")
            #expect(found.groups == ["staff", "wiki editors"])
        }
    }

    @Test("only verified attributes come back", arguments: DatabaseKind.allCases)
    func onlyVerifiedAttributes(_ kind: DatabaseKind) throws {
        try withSession(kind, verified: true) { (database, userID) throws in
            let found = try #require(try find(database, now: 1050))
            #expect(found.verifiedUsername == "alice")
            #expect(found.verifiedEmail == "alice@example.com")
            #expect(found.verifiedEmailKey == "alice@example.com")
        }
    }

    @Test("no groups are stored as NULL", arguments: DatabaseKind.allCases)
    func noGroups(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, _) throws in
            #expect(try find(database, now: 1050)?.storedGroups == nil)
            #expect(try database.read { try SessionRepository($0).findActive(tokenHash: Self.hash, now: 1050)?.groups } == [])
        }
    }

    @Test("a value holding a newline is dropped, never split into two groups", arguments: DatabaseKind.allCases)
    func newlineValuesAreDropped(_ kind: DatabaseKind) throws {
        try withSession(kind, groups: ["ok", "x\nadmins"]) { (database, _) throws in
            #expect(try find(database, now: 1050)?.groups == ["ok"])
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func unknownTokenFindsNothing(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, _) throws in
            let other = [UInt8](repeating: 8, count: 32)
            #expect(try database.read { try SessionRepository($0).findForwardAuth(tokenHash: other, now: 1050) } == nil)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func revokedSessionFindsNothing(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, userID) throws in
            _ = try database.write { try SessionRepository($0).revokeAll(userID: userID, now: 1010) }
            #expect(try find(database, now: 1050) == nil)
        }
    }

    @Test("idle expiry at its instant, and absolute expiry however busy", arguments: DatabaseKind.allCases)
    func expiredSessionFindsNothing(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, _) throws in
            #expect(try find(database, now: 1099) != nil)
            #expect(try find(database, now: 1100) == nil, "idle expiry instant is already expired")
            try database.write { try $0.execute("UPDATE sessions SET idle_expires_at = 99999") }
            #expect(try find(database, now: 1499) != nil)
            #expect(try find(database, now: 1500) == nil, "absolute expiry")
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func deactivatedUserFindsNothing(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, userID) throws in
            try database.write { try $0.execute("UPDATE users SET active = 0 WHERE id = ?", [.integer(userID)]) }
            #expect(try find(database, now: 1050) == nil)
        }
    }

    @Test("a session that has not signed in is no identity", arguments: DatabaseKind.allCases)
    func anonymousSessionFindsNothing(_ kind: DatabaseKind) throws {
        try withSession(kind, signedIn: false) { (database, _) throws in
            #expect(try find(database, now: 1050) == nil)
        }
    }

    @Test("one indexed lookup: the plan searches sessions by token_hash and users by primary key", arguments: DatabaseKind.allCases)
    func queryPlanUsesIndexes(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, _) throws in
            let plan = try database.read { connection in
                try connection.query(
                    """
                    EXPLAIN QUERY PLAN SELECT sessions.user_id, users.username, users.email, sessions.groups, sessions.last_seen_at
                    FROM sessions JOIN users ON users.id = sessions.user_id
                    WHERE sessions.token_hash = ?1 AND sessions.revoked_at IS NULL
                      AND sessions.idle_expires_at > ?2 AND sessions.absolute_expires_at > ?2 AND users.active = 1
                    """,
                    [.blob(Self.hash), .integer(1050)]
                ).map { try $0.string("detail") }
            }
            #expect(plan.count == 2)
            #expect(plan.contains { $0.hasPrefix("SEARCH sessions USING INDEX") && $0.contains("token_hash=?") }, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH users USING INTEGER PRIMARY KEY") }, "\(plan)")
        }
    }

    @Test("the schema caps the groups text", arguments: DatabaseKind.allCases)
    func schemaCapsGroups(_ kind: DatabaseKind) throws {
        try withSession(kind) { (database, _) throws in
            let tooLong = String(repeating: "a", count: 16384)
            let error = storeError {
                try database.write { try $0.execute("UPDATE sessions SET groups = ?", [.text(tooLong)]) }
            }
            #expect(error?.code == .checkViolation)
        }
    }
}
