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

    /// Finds a user by username; with `caseSensitive` the name must match byte for byte. The
    /// NOCASE index still narrows the search to the one candidate first.
    public func find(username: String, caseSensitive: Bool) throws(StoreError) -> UserRecord? {
        guard caseSensitive else { return try find(username: username) }
        return try connection.queryOne(
            "SELECT \(UserRecord.columns) FROM users WHERE username = ? AND username = ? COLLATE BINARY",
            [.text(username), .text(username)]
        ).map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// Users whose address equals `email` in comparison form (`email_key`, written through
    /// `Normalization`: trimmed and case-folded), at most `limit` of them by id. Addresses are not
    /// unique, so a caller that needs one user asks for two and refuses when it gets both. With
    /// `caseSensitive` the trimmed addresses must also match byte for byte.
    public func find(email: String, caseSensitive: Bool = false, limit: Int = 2) throws(StoreError) -> [UserRecord] {
        guard let key = Normalization.email(email) else { return [] }
        var sql = "SELECT \(UserRecord.columns) FROM users WHERE email_key = ?"
        var bindings: [SQLValue] = [.text(key)]
        if caseSensitive {
            sql += " AND trim(email) = trim(?)"
            bindings.append(.text(email))
        }
        sql += " ORDER BY id LIMIT ?"
        bindings.append(.integer(Int64(max(0, limit))))
        return try connection.query(sql, bindings).map { row throws(StoreError) in try UserRecord(row: row) }
    }

    // MARK: Local passwords

    /// The user's stored password hash, or nil when the user has none (or does not exist).
    ///
    /// Kept out of `UserRecord` on purpose: records are logged and rendered, and the hash must
    /// reach only the code that verifies it.
    public func passwordHash(userID: Int64) throws(StoreError) -> String? {
        try connection.queryOne("SELECT password_hash FROM users WHERE id = ?", [.integer(userID)])
            .flatMap { row throws(StoreError) in try row.optionalString("password_hash") }
    }

    /// Sets (or, with nil, removes) the user's password hash and records `now` as the time of
    /// the change. The schema refuses anything that is not a `$scrypt$` string
    /// (`.checkViolation`); an unknown user is `.notFound`.
    public func setPasswordHash(userID: Int64, hash: String?, now: Int64) throws(StoreError) {
        try connection.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
            [SQLValue(hash), hash == nil ? .null : .integer(now), .integer(now), .integer(userID)]
        )
        guard connection.changes == 1 else {
            throw StoreError(code: .notFound, message: "no user with that id")
        }
    }

    /// Replaces the hash only if it is still `current`: the parameter upgrade at sign-in must
    /// not overwrite a password that an administrator changed meanwhile. Returns whether it
    /// replaced it. `password_changed_at` is left alone: the password itself did not change.
    @discardableResult
    public func upgradePasswordHash(userID: Int64, from current: String, to upgraded: String, now: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?",
            [.text(upgraded), .integer(now), .integer(userID), .text(current)]
        )
        return connection.changes == 1
    }
}
