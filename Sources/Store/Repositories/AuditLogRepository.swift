/// Appends to `audit_log`. Entries are never updated or deleted here.
///
/// `detail` is free text for people reading the trail; it must never hold a secret, token,
/// password or cookie value.
public struct AuditLogRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Appends one event at `now` (unix seconds) and returns its id.
    @discardableResult
    public func append(
        _ event: AuditEvent, now: Int64, userID: Int64? = nil, requestID: String? = nil, detail: String? = nil
    ) throws(StoreError) -> Int64 {
        try connection.execute(
            "INSERT INTO audit_log (at, event, user_id, request_id, detail) VALUES (?, ?, ?, ?, ?)",
            [.integer(now), .text(event.rawValue), SQLValue(userID), SQLValue(requestID), SQLValue(detail)]
        )
        return connection.lastInsertRowID
    }
}
