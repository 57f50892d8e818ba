import Accounts

/// Reads and writes `users` on the connection it is given, so several repositories can share
/// one transaction: `try database.write { UserRepository($0).create(...) }`.
///
/// Every write of an email or username also writes its comparison form (`email_key`,
/// `username_key`, through `Accounts.Normalization`), which is what account linking matches on.
public struct UserRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Inserts an active user. A username that differs from an existing one only in ASCII case
    /// fails with `.uniqueViolation`.
    public func create(
        username: String, email: String?, emailVerified: Bool = false, usernameVerified: Bool = false,
        displayName: String?, now: Int64
    ) throws(StoreError) -> UserRecord {
        try connection.execute(
            """
            INSERT INTO users (username, username_key, email, email_key, email_verified, username_verified, display_name,
                               active, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
            """,
            [
                .text(username), SQLValue(Normalization.username(username)), SQLValue(email),
                SQLValue(email.flatMap(Normalization.email)), .integer(emailVerified ? 1 : 0),
                .integer(usernameVerified ? 1 : 0), SQLValue(displayName), .integer(now), .integer(now),
            ]
        )
        return UserRecord(
            id: connection.lastInsertRowID, username: username, email: email, emailVerified: emailVerified,
            usernameVerified: usernameVerified, displayName: displayName,
            isActive: true, createdAt: now, updatedAt: now
        )
    }

    /// Users whose email, in comparison form, equals `email`'s. More than one is possible: the
    /// caller must treat that as ambiguous, never pick one.
    public func matching(email: String) throws(StoreError) -> [UserRecord] {
        guard let key = Normalization.email(email) else { return [] }
        return try connection.query("SELECT \(UserRecord.columns) FROM users WHERE email_key = ? ORDER BY id", [.text(key)])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// Users whose username, in comparison form, equals `username`'s.
    public func matching(username: String) throws(StoreError) -> [UserRecord] {
        guard let key = Normalization.username(username) else { return [] }
        return try connection.query("SELECT \(UserRecord.columns) FROM users WHERE username_key = ? ORDER BY id", [.text(key)])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// Every user, oldest first, for operators (`gatehouse users list`).
    public func all() throws(StoreError) -> [UserRecord] {
        try connection.query("SELECT \(UserRecord.columns) FROM users ORDER BY id", [])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// Enables or disables a user; a disabled user cannot sign in by any method.
    public func setActive(id: Int64, _ active: Bool, now: Int64) throws(StoreError) {
        try connection.execute(
            "UPDATE users SET active = ?, updated_at = ? WHERE id = ?", [.integer(active ? 1 : 0), .integer(now), .integer(id)]
        )
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no user with that id") }
    }

    public func find(id: Int64) throws(StoreError) -> UserRecord? {
        try connection.queryOne("SELECT \(UserRecord.columns) FROM users WHERE id = ?", [.integer(id)])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// Finds a user by username, ignoring ASCII case (the column is `COLLATE NOCASE`).
    public func find(username: String) throws(StoreError) -> UserRecord? {
        try connection.queryOne("SELECT \(UserRecord.columns) FROM users WHERE username = ?", [.text(username)])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }
}
