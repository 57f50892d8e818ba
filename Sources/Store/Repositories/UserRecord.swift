/// A row of `users`. Timestamps are unix seconds.
public struct UserRecord: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let email: String?
    public let displayName: String?
    public let isActive: Bool
    public let createdAt: Int64
    public let updatedAt: Int64

    public init(
        id: Int64, username: String, email: String?, displayName: String?,
        isActive: Bool, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.displayName = displayName
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    static let columns = "id, username, email, display_name, active, created_at, updated_at"

    init(row: Row) throws(StoreError) {
        self.init(
            id: try row.int64("id"),
            username: try row.string("username"),
            email: try row.optionalString("email"),
            displayName: try row.optionalString("display_name"),
            isActive: try row.bool("active"),
            createdAt: try row.int64("created_at"),
            updatedAt: try row.int64("updated_at")
        )
    }
}
