/// How big the database is and what it holds, for `/metrics`: an operator sees growth (an audit
/// log past its retention, flows nobody purges) before the disk does.
public struct DatabaseStatistics: Sendable, Equatable {
    public let pageCount: Int64
    public let pageSize: Int64
    public let freePages: Int64
    /// The write-ahead log file's size: bounded by `DatabaseOptions.logSizeLimitBytes` once the
    /// log starts over; one that keeps growing means checkpoints cannot keep up.
    public let logBytes: Int64
    /// Rows per table, for the tables Gatehouse writes.
    public let rows: [(table: String, count: Int64)]

    public var bytes: Int64 { pageCount * pageSize }

    /// The tables counted. A constant list, never names taken from a request.
    public static let tables = ["users", "identities", "sessions", "sign_in_flows", "audit_log", "link_decisions", "provider_policies", "logout_tokens_seen"]

    public static func read(_ connection: Connection, logBytes: Int64) throws(StoreError) -> DatabaseStatistics {
        func pragma(_ name: String) throws(StoreError) -> Int64 {
            try connection.queryOne("PRAGMA \(name)")?.int64(at: 0) ?? 0
        }
        var rows: [(String, Int64)] = []
        for table in tables {
            rows.append((table, try connection.queryOne("SELECT count(*) FROM \(table)")?.int64(at: 0) ?? 0))
        }
        return DatabaseStatistics(pageCount: try pragma("page_count"), pageSize: try pragma("page_size"), freePages: try pragma("freelist_count"), logBytes: logBytes, rows: rows)
    }

    public static func == (lhs: DatabaseStatistics, rhs: DatabaseStatistics) -> Bool {
        lhs.pageCount == rhs.pageCount && lhs.pageSize == rhs.pageSize && lhs.freePages == rhs.freePages && lhs.logBytes == rhs.logBytes
            && lhs.rows.map(\.table) == rhs.rows.map(\.table) && lhs.rows.map(\.count) == rhs.rows.map(\.count)
    }

    /// The Prometheus text lines.
    public func render() -> String {
        var out = ""
        out += "# HELP gatehouse_database_bytes The database file's size (pages times page size).\n"
        out += "# TYPE gatehouse_database_bytes gauge\n"
        out += "gatehouse_database_bytes \(bytes)\n"
        out += "# HELP gatehouse_database_pages Pages in the database file.\n"
        out += "# TYPE gatehouse_database_pages gauge\n"
        out += "gatehouse_database_pages \(pageCount)\n"
        out += "# HELP gatehouse_database_free_pages Pages free for reuse.\n"
        out += "# TYPE gatehouse_database_free_pages gauge\n"
        out += "gatehouse_database_free_pages \(freePages)\n"
        out += "# HELP gatehouse_database_log_bytes The write-ahead log file's size.\n"
        out += "# TYPE gatehouse_database_log_bytes gauge\n"
        out += "gatehouse_database_log_bytes \(logBytes)\n"
        out += "# HELP gatehouse_database_rows Rows per table.\n"
        out += "# TYPE gatehouse_database_rows gauge\n"
        for (table, count) in rows { out += "gatehouse_database_rows{table=\"\(table)\"} \(count)\n" }
        return out
    }
}
