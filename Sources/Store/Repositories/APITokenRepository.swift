/// A row of `api_tokens`, without its secret's hash: records are rendered and logged, and the
/// hash reaches only `APITokenRepository.credential(id:)`. Timestamps are unix seconds.
public struct APITokenRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    /// The scope names, in the order they were stored.
    public let scopes: [String]
    public let createdAt: Int64
    /// Who made it: `cli`, or `token:<name>` for a token made through the API.
    public let createdBy: String
    public let expiresAt: Int64?
    public let lastUsedAt: Int64?
    public let revokedAt: Int64?

    /// Usable at `now`: not revoked, and before its expiry (the expiry instant itself is past).
    public func isLive(at now: Int64) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    static let columns = "id, name, scopes, created_at, created_by, expires_at, last_used_at, revoked_at"

    init(row: Row) throws(StoreError) {
        id = try row.int64("id")
        name = try row.string("name")
        scopes = try row.string("scopes").split(separator: " ").map(String.init)
        createdAt = try row.int64("created_at")
        createdBy = try row.string("created_by")
        expiresAt = try row.optionalInt64("expires_at")
        lastUsedAt = try row.optionalInt64("last_used_at")
        revokedAt = try row.optionalInt64("revoked_at")
    }
}

/// Reads and writes `api_tokens`. Only the SHA-256 of a token's secret is ever stored; the
/// caller makes the secret, shows it once, and compares hashes in constant time.
public struct APITokenRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Inserts a token. A live token with the same name fails with `.uniqueViolation`.
    public func create(
        name: String, secretHash: [UInt8], scopes: [String], createdBy: String, expiresAt: Int64?, now: Int64
    ) throws(StoreError) -> APITokenRecord {
        let row = try connection.queryOne(
            """
            INSERT INTO api_tokens (name, secret_hash, scopes, created_at, created_by, expires_at)
            VALUES (?, ?, ?, ?, ?, ?)
            RETURNING \(APITokenRecord.columns)
            """,
            [.text(name), .blob(secretHash), .text(scopes.joined(separator: " ")), .integer(now), .text(createdBy), SQLValue(expiresAt)]
        )
        guard let row else { throw StoreError(code: .notFound, message: "the inserted token was not returned") }
        return try APITokenRecord(row: row)
    }

    public func find(id: Int64) throws(StoreError) -> APITokenRecord? {
        try connection.queryOne("SELECT \(APITokenRecord.columns) FROM api_tokens WHERE id = ?", [.integer(id)])
            .map { row throws(StoreError) in try APITokenRecord(row: row) }
    }

    /// The live token named `name`, if any.
    public func find(name: String) throws(StoreError) -> APITokenRecord? {
        try connection.queryOne(
            "SELECT \(APITokenRecord.columns) FROM api_tokens WHERE name = ? AND revoked_at IS NULL", [.text(name)]
        ).map { row throws(StoreError) in try APITokenRecord(row: row) }
    }

    /// The token with its secret's hash, for the one caller that verifies a presented secret.
    public func credential(id: Int64) throws(StoreError) -> (record: APITokenRecord, secretHash: [UInt8])? {
        guard let row = try connection.queryOne(
            "SELECT \(APITokenRecord.columns), secret_hash FROM api_tokens WHERE id = ?", [.integer(id)]
        ) else { return nil }
        return (try APITokenRecord(row: row), try row.blob("secret_hash"))
    }

    /// One page of tokens, oldest first; revoked ones only when asked for.
    public func page(includingRevoked: Bool, _ request: PageRequest) throws(StoreError) -> Page<APITokenRecord> {
        var query = PagedQuery()
        if !includingRevoked { query.require("revoked_at IS NULL") }
        return try query.page(
            APITokenRecord.columns, from: "api_tokens", order: .oldestFirst, request, on: connection,
            decode: { row throws(StoreError) in try APITokenRecord(row: row) }, id: \.id
        )
    }

    /// Revokes a token. Returns false when it was already revoked or does not exist.
    @discardableResult
    public func revoke(id: Int64, now: Int64) throws(StoreError) -> Bool {
        try connection.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.integer(now), .integer(id)])
        return connection.changes > 0
    }

    /// Notes a use at `now`, at most once per `minimumInterval` seconds, so a busy script does
    /// not cost a write per request. Returns whether it wrote.
    @discardableResult
    public func recordUse(id: Int64, now: Int64, minimumInterval: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?1 - ?3)",
            [.integer(now), .integer(id), .integer(minimumInterval)]
        )
        return connection.changes > 0
    }
}
