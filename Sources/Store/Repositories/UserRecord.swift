/// A row of `users`. Timestamps are unix seconds.
public struct UserRecord: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let email: String?
    /// True when the address came from a verified source; only then may it be a linking target.
    public let emailVerified: Bool
    /// True when the username came from a trusted claim or an administrator.
    public let usernameVerified: Bool
    public let displayName: String?
    public let isActive: Bool
    public let createdAt: Int64
    public let updatedAt: Int64

    public init(
        id: Int64, username: String, email: String?, emailVerified: Bool = false, usernameVerified: Bool = false, displayName: String?,
        isActive: Bool, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.emailVerified = emailVerified
        self.usernameVerified = usernameVerified
        self.displayName = displayName
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    static let columns = "id, username, email, email_verified, username_verified, display_name, active, created_at, updated_at"

    init(row: Row) throws(StoreError) {
        self.init(
            id: try row.int64("id"),
            username: try row.string("username"),
            email: try row.optionalString("email"),
            emailVerified: try row.bool("email_verified"),
            usernameVerified: try row.bool("username_verified"),
            displayName: try row.optionalString("display_name"),
            isActive: try row.bool("active"),
            createdAt: try row.int64("created_at"),
            updatedAt: try row.int64("updated_at")
        )
    }
}
