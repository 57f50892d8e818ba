/// Appends to `audit_log`, and deletes entries past the retention period. Entries are never
/// updated.
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
            [.integer(now), .text(event.rawValue), SQLValue(userID), SQLValue(requestID), SQLValue(detail.map(Self.bounded))]
        )
        return connection.lastInsertRowID
    }

    /// The longest detail kept; the callers bound what they put in it, and this is the last
    /// guard: no request can make one entry grow the log by more.
    public static let maximumDetailBytes = 1024

    /// The detail cut to `maximumDetailBytes` (on a character boundary, ending in "…").
    static func bounded(_ detail: String) -> String {
        guard detail.utf8.count > maximumDetailBytes else { return detail }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in detail.unicodeScalars {
            bytes += UTF8.width(scalar)
            guard bytes <= maximumDetailBytes - 3 else { break }
            kept.append(scalar)
        }
        return String(kept) + "…"
    }

    /// Deletes entries (and link decisions) older than `cutoff`; returns how many of each.
    @discardableResult
    public func deleteOlder(than cutoff: Int64) throws(StoreError) -> (entries: Int, decisions: Int) {
        try connection.execute("DELETE FROM audit_log WHERE at < ?", [.integer(cutoff)])
        let entries = connection.changes
        try connection.execute("DELETE FROM link_decisions WHERE at < ?", [.integer(cutoff)])
        return (entries, connection.changes)
    }
}
