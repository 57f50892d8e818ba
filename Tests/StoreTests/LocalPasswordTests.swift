import Testing
import Store

/// Migration 0005 and the password side of `UserRepository`.
@Suite("Local passwords in the store")
struct LocalPasswordTests {
    static let hash = "$scrypt$ln=4,r=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    static let newer = "$scrypt$ln=14,r=8,p=5$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"

    private func withUsers<T>(_ kind: DatabaseKind, _ body: (Database) throws -> T) throws -> T {
        try withDatabase(kind) { database in
            try Migrator().migrate(database, now: 0)
            return try body(database)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func newUsersHaveNoPassword(_ kind: DatabaseKind) throws {
        try withUsers(kind) { database in
            let user = try database.write { try UserRepository($0).create(username: "ann", email: nil, displayName: nil, now: 1) }
            #expect(try database.read { try UserRepository($0).passwordHash(userID: user.id) } == nil)
            #expect(try database.read { try UserRepository($0).passwordHash(userID: user.id + 99) } == nil, "unknown user")
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func setReadAndClear(_ kind: DatabaseKind) throws {
        try withUsers(kind) { database in
            let user = try database.write { try UserRepository($0).create(username: "ann", email: nil, displayName: nil, now: 1) }
            try database.write { try UserRepository($0).setPasswordHash(userID: user.id, hash: Self.hash, now: 70) }
            #expect(try database.read { try UserRepository($0).passwordHash(userID: user.id) } == Self.hash)
            let (changedAt, updatedAt) = try database.read { (connection) throws in
                let row = try #require(try connection.queryOne("SELECT password_changed_at, updated_at FROM users WHERE id = ?", [.integer(user.id)]))
                return (try row.optionalInt64("password_changed_at"), try row.int64("updated_at"))
            }
            #expect(changedAt == 70 && updatedAt == 70)
            try database.write { try UserRepository($0).setPasswordHash(userID: user.id, hash: nil, now: 80) }
            #expect(try database.read { try UserRepository($0).passwordHash(userID: user.id) } == nil)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func unknownUserIsNotFound(_ kind: DatabaseKind) throws {
        try withUsers(kind) { database in
            let error = storeError { try database.write { try UserRepository($0).setPasswordHash(userID: 42, hash: Self.hash, now: 1) } }
            #expect(error?.code == .notFound)
        }
    }

    @Test("the schema refuses what is not a $scrypt$ string", arguments: [
        "hunter2",  // a plain password must never land in the column
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  // bcrypt: another scheme
        "$SCRYPT$ln=14,r=8,p=5$AAAA$AAAA",  // the prefix is case-sensitive
        "",  // empty is not "no password"; NULL is
        "$scrypt$" + String(repeating: "A", count: 600),  // over the length bound
    ])
    func checkConstraint(_ value: String) throws {
        try withUsers(.memory) { database in
            let user = try database.write { try UserRepository($0).create(username: "ann", email: nil, displayName: nil, now: 1) }
            let error = storeError { try database.write { try UserRepository($0).setPasswordHash(userID: user.id, hash: value, now: 2) } }
            #expect(error?.code == .checkViolation)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func upgradeOnlyReplacesTheHashItRead(_ kind: DatabaseKind) throws {
        try withUsers(kind) { database in
            let user = try database.write { try UserRepository($0).create(username: "ann", email: nil, displayName: nil, now: 1) }
            try database.write { try UserRepository($0).setPasswordHash(userID: user.id, hash: Self.hash, now: 10) }
            // Someone else changed the password since the sign-in read it: the upgrade must not clobber it.
            let stale = try database.write { try UserRepository($0).upgradePasswordHash(userID: user.id, from: "$scrypt$other", to: Self.newer, now: 20) }
            #expect(!stale)
            #expect(try database.read { try UserRepository($0).passwordHash(userID: user.id) } == Self.hash)
            let upgraded = try database.write { try UserRepository($0).upgradePasswordHash(userID: user.id, from: Self.hash, to: Self.newer, now: 30) }
            #expect(upgraded)
            #expect(try database.read { try UserRepository($0).passwordHash(userID: user.id) } == Self.newer)
            let changedAt = try database.read { (connection) throws in
                try connection.queryOne("SELECT password_changed_at FROM users WHERE id = ?", [.integer(user.id)])?.optionalInt64("password_changed_at")
            }
            #expect(changedAt == 10, "an upgrade is not a password change")
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func findByEmailKey(_ kind: DatabaseKind) throws {
        try withUsers(kind) { database in
            let (ann, bob, bea) = try database.write { (connection) throws in
                let users = UserRepository(connection)
                let ann = try users.create(username: "ann", email: " Ann@Example.com ", displayName: nil, now: 1)
                let bob = try users.create(username: "bob", email: "shared@example.com", displayName: nil, now: 1)
                let bea = try users.create(username: "bea", email: "SHARED@example.com", displayName: nil, now: 1)
                _ = try users.create(username: "cy", email: nil, displayName: nil, now: 1)
                return (ann, bob, bea)
            }
            try database.read { (connection) throws in
                let users = UserRepository(connection)
                #expect(ann.emailKey == "ann@example.com", "the key is written with the address")
                #expect(try users.matching(emailKey: "ann@example.com").map(\.id) == [ann.id])
                #expect(try users.matching(emailKey: "shared@example.com").map(\.id) == [bob.id, bea.id], "two share it: the caller must refuse")
                #expect(try users.matching(emailKey: "nobody@example.com").isEmpty)
            }
        }
    }

    @Test func emailLookupUsesTheNormalisedIndex() throws {
        try withUsers(.memory) { database in
            let plan = try database.read { (connection) throws in
                try connection.query(
                    "EXPLAIN QUERY PLAN SELECT id FROM users WHERE email_key = ? ORDER BY id LIMIT 2", ["x"]
                ).map { try $0.string("detail") }.joined(separator: "\n")
            }
            #expect(plan.contains("users_email_key"), "\(plan)")
        }
    }
}
