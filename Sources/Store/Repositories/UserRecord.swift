import Accounts

/// A row of `users`. Timestamps are unix seconds.
public struct UserRecord: Sendable, Equatable {
    public let id: Int64
    public let username: String
    /// `username_key`: the username's matching key (`MatchingKey.username`), as stored.
    public let usernameKey: String?
    public let email: String?
    /// `email_key`: the email's matching key (`MatchingKey.email`), as stored; nil when the
    /// address has none (it then matches nobody).
    public let emailKey: String?
    /// Who verified the address, or nil when it is not verified; only a verified address may be
    /// a linking target, and only one verified by a source the provider accepts.
    public let emailVerifiedBy: EmailVerifier?
    /// Who verified the username: an administrator, or the provider whose trusted claim it was;
    /// nil when it is not verified. Only a username verified by a source the linking provider
    /// accepts may be a linking target.
    public let usernameVerifiedBy: EmailVerifier?
    public let displayName: String?
    public let isActive: Bool
    /// Whether the user has a local password (the hash itself is never in a record).
    public let hasPassword: Bool
    public let createdAt: Int64
    public let updatedAt: Int64

    public init(
        id: Int64, username: String, usernameKey: String?, email: String?, emailKey: String?,
        emailVerifiedBy: EmailVerifier?, usernameVerifiedBy: EmailVerifier?, displayName: String?,
        isActive: Bool, hasPassword: Bool, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.username = username
        self.usernameKey = usernameKey
        self.email = email
        self.emailKey = emailKey
        self.emailVerifiedBy = emailVerifiedBy
        self.usernameVerifiedBy = usernameVerifiedBy
        self.displayName = displayName
        self.isActive = isActive
        self.hasPassword = hasPassword
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// True when the address is verified, by anyone.
    public var emailVerified: Bool { emailVerifiedBy != nil }
    /// True when the username came from a trusted claim or an administrator.
    public var usernameVerified: Bool { usernameVerifiedBy != nil }

    static let columns = """
        id, username, username_key, email, email_key, email_verified_by, username_verified_by, display_name, active, \
        password_hash IS NOT NULL AS has_password, created_at, updated_at
        """

    init(row: Row) throws(StoreError) {
        self.init(
            id: try row.int64("id"),
            username: try row.string("username"),
            usernameKey: try row.optionalString("username_key"),
            email: try row.optionalString("email"),
            emailKey: try row.optionalString("email_key"),
            // An unreadable stored verifier verifies nothing.
            emailVerifiedBy: try row.optionalString("email_verified_by").flatMap(EmailVerifier.init(stored:)),
            usernameVerifiedBy: try row.optionalString("username_verified_by").flatMap(EmailVerifier.init(stored:)),
            displayName: try row.optionalString("display_name"),
            isActive: try row.bool("active"),
            hasPassword: try row.bool("has_password"),
            createdAt: try row.int64("created_at"),
            updatedAt: try row.int64("updated_at")
        )
    }
}
