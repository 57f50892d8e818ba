/// Reads and writes `users` on the connection it is given, so several repositories can share
/// one transaction: `try database.write { UserRepository($0).create(...) }`.
public struct UserRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Inserts an active user. A username that differs from an existing one only in ASCII case
    /// fails with `.uniqueViolation`.
    public func create(
        username: String, email: String?, emailVerified: Bool = false, displayName: String?, now: Int64
    ) throws(StoreError) -> UserRecord {
        try connection.execute(
            """
            INSERT INTO users (username, email, email_verified, display_name, active, created_at, updated_at)
            VALUES (?, ?, ?, ?, 1, ?, ?)
            """,
            [.text(username), SQLValue(email), .integer(emailVerified ? 1 : 0), SQLValue(displayName), .integer(now), .integer(now)]
        )
        return UserRecord(
            id: connection.lastInsertRowID, username: username, email: email, emailVerified: emailVerified,
            displayName: displayName,
            isActive: true, createdAt: now, updatedAt: now
        )
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
