import Accounts
import MatchingKeys

/// Reads and writes `users` on the connection it is given, so several repositories can share
/// one transaction: `try database.write { UserRepository($0).create(...) }`.
///
/// Every write of an email or username also writes its matching key (`email_key`,
/// `username_key`, through `MatchingKeys.MatchingKey`) and the username's confusable skeleton,
/// and every lookup by email or username compares those keys: the one rule for "the same".
public struct UserRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Inserts an active user. A username whose confusable skeleton another user has (it differs
    /// only by case, width or a look-alike character) fails with `.confusableUsername`; the
    /// database's trigger refuses it too, whatever writes it. `emailVerifiedBy` is set only
    /// when there is an email.
    public func create(
        username: String, email: String?, emailVerifiedBy: EmailVerifier? = nil, usernameVerifiedBy: EmailVerifier? = nil,
        displayName: String?, now: Int64
    ) throws(StoreError) -> UserRecord {
        let skeleton = try freeSkeleton(of: username, except: nil)
        let verifier = email == nil ? nil : emailVerifiedBy
        let usernameKey = MatchingKey.username(username)
        let emailKey = email.flatMap(MatchingKey.email)
        try Self.namingTheVerifiedEmailIndex { () throws(StoreError) in try connection.execute(
            """
            INSERT INTO users (username, username_key, username_skeleton, email, email_key, email_verified, email_verified_by,
                               username_verified, username_verified_by, display_name, active, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
            """,
            [
                .text(username), SQLValue(usernameKey), .text(skeleton), SQLValue(email), SQLValue(emailKey),
                .integer(verifier == nil ? 0 : 1), SQLValue(verifier?.stored), .integer(usernameVerifiedBy == nil ? 0 : 1),
                SQLValue(usernameVerifiedBy?.stored), SQLValue(displayName), .integer(now), .integer(now),
            ]
        ) }
        return UserRecord(
            id: connection.lastInsertRowID, username: username, usernameKey: usernameKey, email: email, emailKey: emailKey,
            emailVerifiedBy: verifier, usernameVerifiedBy: usernameVerifiedBy, displayName: displayName,
            isActive: true, hasPassword: false, createdAt: now, updatedAt: now
        )
    }

    /// Whether `username` may be given to a new user (or to `except`, renaming it): it has a
    /// skeleton and no other user's is the same.
    public func isUsernameFree(_ username: String, except userID: Int64? = nil) throws(StoreError) -> Bool {
        do {
            _ = try freeSkeleton(of: username, except: userID)
            return true
        } catch where error.code == .confusableUsername {
            return false
        }
    }

    private func freeSkeleton(of username: String, except userID: Int64?) throws(StoreError) -> String {
        guard let skeleton = MatchingKey.usernameSkeleton(username) else {
            throw StoreError(code: .confusableUsername, message: "the username has no confusable skeleton (too long)")
        }
        let taken = try connection.queryOne(
            "SELECT 1 FROM users WHERE username_skeleton = ? AND id <> ?", [.text(skeleton), .integer(userID ?? -1)]
        )
        guard taken == nil else {
            throw StoreError(code: .confusableUsername, message: "another user's username differs from this one only by case, width or look-alike characters")
        }
        return skeleton
    }

    /// Users whose stored email key is `emailKey` (from `MatchingKey.email`), oldest first.
    /// More than one is possible: the caller must treat that as ambiguous, never pick one.
    public func matching(emailKey: String) throws(StoreError) -> [UserRecord] {
        try users(where: "email_key = ?", emailKey)
    }

    /// Users whose stored username key is `usernameKey` (from `MatchingKey.username`), oldest
    /// first: one, but for usernames that collided when the keys were recomputed.
    public func matching(usernameKey: String) throws(StoreError) -> [UserRecord] {
        try users(where: "username_key = ?", usernameKey)
    }

    private func users(where condition: String, _ key: String) throws(StoreError) -> [UserRecord] {
        try connection.query("SELECT \(UserRecord.columns) FROM users WHERE \(condition) ORDER BY id", [.text(key)])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// Every user, oldest first, for operators (`gatehouse users list`).
    public func all() throws(StoreError) -> [UserRecord] {
        try connection.query("SELECT \(UserRecord.columns) FROM users ORDER BY id", [])
            .map { row throws(StoreError) in try UserRecord(row: row) }
    }

    /// One page of users, oldest first, narrowed by `filter`.
    public func page(_ filter: UserFilter, _ request: PageRequest) throws(StoreError) -> Page<UserRecord> {
        var query = PagedQuery()
        if let text = filter.text {
            let pattern = SQLValue.text(PagedQuery.containing(text))
            query.require(
                "(username LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')",
                pattern, pattern, pattern
            )
        }
        if let emailKey = filter.emailKey { query.require("email_key = ?", .text(emailKey)) }
        if let active = filter.isActive { query.require("active = ?", .integer(active ? 1 : 0)) }
        if let provider = filter.provider {
            query.require("EXISTS (SELECT 1 FROM identities WHERE identities.user_id = users.id AND identities.provider = ?)", .text(provider))
        }
        return try query.page(
            UserRecord.columns, from: "users", order: .oldestFirst, request, on: connection,
            decode: { row throws(StoreError) in try UserRecord(row: row) }, id: \.id
        )
    }

    /// Writes every changeable attribute of a user at once, with the matching keys and the
    /// skeleton recomputed from what is written: the caller reads the user, changes what it
    /// must, and passes the whole. A username another user's skeleton already holds fails with
    /// `.confusableUsername`; an unknown user with `.notFound`.
    public func replace(_ user: UserRecord, now: Int64) throws(StoreError) -> UserRecord {
        let skeleton = try freeSkeleton(of: user.username, except: user.id)
        let verifier = user.email == nil ? nil : user.emailVerifiedBy
        let usernameKey = MatchingKey.username(user.username)
        let emailKey = user.email.flatMap(MatchingKey.email)
        try Self.namingTheVerifiedEmailIndex { () throws(StoreError) in try connection.execute(
            """
            UPDATE users SET username = ?, username_key = ?, username_skeleton = ?, email = ?, email_key = ?,
                             email_verified = ?, email_verified_by = ?, username_verified = ?, username_verified_by = ?, display_name = ?,
                             active = ?, updated_at = ?
            WHERE id = ?
            """,
            [
                .text(user.username), SQLValue(usernameKey), .text(skeleton), SQLValue(user.email), SQLValue(emailKey),
                .integer(verifier == nil ? 0 : 1), SQLValue(verifier?.stored), .integer(user.usernameVerified ? 1 : 0),
                SQLValue(user.usernameVerifiedBy?.stored), SQLValue(user.displayName), .integer(user.isActive ? 1 : 0), .integer(now), .integer(user.id),
            ]
        ) }
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no user with that id") }
        guard let written = try find(id: user.id) else { throw StoreError(code: .notFound, message: "no user with that id") }
        return written
    }

    /// Runs a write of a user's row, telling the verified-email index's refusal apart from the
    /// username's (both are unique violations to SQLite), so a caller can say which was taken.
    private static func namingTheVerifiedEmailIndex(_ write: () throws(StoreError) -> Void) throws(StoreError) {
        do {
            try write()
        } catch where error.code == .uniqueViolation && error.message.contains("users.email_key") {
            throw StoreError(code: .verifiedEmailTaken, message: "another user holds this email address verified")
        }
    }

    /// Deletes a user; its identities and sessions go with it (foreign keys cascade). The audit
    /// log keeps its entries: `audit_log.user_id` is not a foreign key.
    public func delete(id: Int64) throws(StoreError) {
        try connection.execute("DELETE FROM users WHERE id = ?", [.integer(id)])
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no user with that id") }
    }

    /// Enables or disables a user; a disabled user cannot sign in by any method.
    public func setActive(id: Int64, _ active: Bool, now: Int64) throws(StoreError) {
        try connection.execute(
            "UPDATE users SET active = ?, updated_at = ? WHERE id = ?", [.integer(active ? 1 : 0), .integer(now), .integer(id)]
        )
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no user with that id") }
    }

    /// Deactivates the user if still active; false, and nothing written, for a user already
    /// inactive or gone (a directory sync that decided on an earlier snapshot).
    public func deactivateIfActive(id: Int64, now: Int64) throws(StoreError) -> Bool {
        try connection.execute("UPDATE users SET active = 0, updated_at = ? WHERE id = ? AND active = 1", [.integer(now), .integer(id)])
        return connection.changes == 1
    }

    public func find(id: Int64) throws(StoreError) -> UserRecord? {
        try connection.queryOne("SELECT \(UserRecord.columns) FROM users WHERE id = ?", [.integer(id)])
            .map { row throws(StoreError) in try UserRecord(row: row) }
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

/// What a user listing is narrowed to; nil members do not narrow it.
public struct UserFilter: Sendable, Equatable {
    /// Text found anywhere in the username, the email or the display name (ASCII letters
    /// compared without case, as SQLite's LIKE does).
    public var text: String?
    /// The email's matching key (`MatchingKey.email`): the users holding this address.
    public var emailKey: String?
    public var isActive: Bool?
    /// Users holding at least one identity of this provider.
    public var provider: String?

    public init(text: String? = nil, emailKey: String? = nil, isActive: Bool? = nil, provider: String? = nil) {
        self.text = text
        self.emailKey = emailKey
        self.isActive = isActive
        self.provider = provider
    }
}
