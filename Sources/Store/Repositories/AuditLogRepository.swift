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

    /// Appends one event at `now` (unix seconds) and returns its id. `actor` says who did it
    /// (`token:<name>`, `cli`, `person`), `provider` which provider it concerns.
    @discardableResult
    public func append(
        _ event: AuditEvent, now: Int64, userID: Int64? = nil, requestID: String? = nil, detail: String? = nil,
        actor: String? = nil, provider: String? = nil
    ) throws(StoreError) -> Int64 {
        try connection.execute(
            "INSERT INTO audit_log (at, event, user_id, request_id, detail, actor, provider) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .integer(now), .text(event.rawValue), SQLValue(userID), SQLValue(requestID), SQLValue(detail.map(Self.bounded)),
                SQLValue(actor), SQLValue(provider),
            ]
        )
        return connection.lastInsertRowID
    }

    /// One page of entries, newest first, narrowed by `filter`.
    public func page(_ filter: AuditFilter, _ request: PageRequest) throws(StoreError) -> Page<AuditEntry> {
        let query = filter.query(typeColumn: "event")
        return try query.page(
            AuditEntry.columns, from: "audit_log", order: .newestFirst, request, on: connection,
            decode: { row throws(StoreError) in try AuditEntry(row: row) }, id: \.id
        )
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

    /// How many entries of the events anyone can cause without authenticating are stored, and how
    /// many are kept (`audit_budget.cap`). The triggers of migration 0016 count them per kind in
    /// every writer's transaction: past its kind's share of the cap, each new such entry removes
    /// the oldest of its own kind.
    public func unauthenticatedBudget() throws(StoreError) -> (used: Int64, cap: Int64) {
        guard let row = try connection.queryOne(
            "SELECT (SELECT coalesce(sum(used), 0) FROM audit_unauthenticated_events) AS used, cap FROM audit_budget WHERE id = 1"
        ) else {
            throw StoreError(code: .notFound, message: "audit_budget has no row")
        }
        return (try row.int64("used"), try row.int64("cap"))
    }

    /// How many entries of each such kind are stored, and each kind's share of the cap (the cap
    /// divided equally among the kinds, rounded up; migration 0016).
    public func unauthenticatedKinds() throws(StoreError) -> (used: [AuditEvent: Int64], share: Int64) {
        let (byName, share) = try TrailTable(name: "audit_log", connection: connection)
            .budget(counts: "audit_unauthenticated_events", kindColumn: "event", shareView: "audit_unauthenticated_share")
        var used: [AuditEvent: Int64] = [:]
        for (name, count) in byName { if let event = AuditEvent(rawValue: name) { used[event] = count } }
        return (used, share)
    }

    /// Sets how many such entries are kept (`database.max_unauthenticated_audit_entries`). A cap
    /// lower than what is stored takes effect through `trimUnauthenticated`.
    public func setUnauthenticatedCap(_ cap: Int64) throws(StoreError) {
        try connection.execute("UPDATE audit_budget SET cap = ? WHERE id = 1", [.integer(max(1, cap))])
    }

    /// Deletes the oldest entries of each such kind stored past its share, at most `limit` in
    /// all (each an index lookup), so one call never holds the writer long. Returns how many.
    @discardableResult
    public func trimUnauthenticated(limit: Int) throws(StoreError) -> Int {
        let (used, share) = try unauthenticatedKinds()
        let byName = Dictionary(used.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: +)
        return try TrailTable(name: "audit_log", connection: connection).trimBeyondShare(byName, share: share, kindColumn: "event", limit: limit)
    }

    /// Deletes the oldest `limit` entries older than `cutoff` (fewer when fewer are left), found
    /// through the `at` index; returns how many. A batch, so that the purge, which calls it until
    /// it deletes fewer than `limit`, never holds the writer for a whole backlog at once.
    @discardableResult
    public func deleteOlder(than cutoff: Int64, limit: Int) throws(StoreError) -> Int {
        try TrailTable(name: "audit_log", connection: connection).deleteOlder(than: cutoff, limit: limit)
    }
}

/// A row of `audit_log`.
public struct AuditEntry: Sendable, Equatable {
    public let id: Int64
    public let at: Int64
    /// The stored event name: an `AuditEvent` raw value (older rows may hold retired names).
    public let event: String
    public let userID: Int64?
    public let actor: String?
    public let provider: String?
    public let requestID: String?
    public let detail: String?

    static let columns = "id, at, event, user_id, actor, provider, request_id, detail"

    init(row: Row) throws(StoreError) {
        id = try row.int64("id")
        at = try row.int64("at")
        event = try row.string("event")
        userID = try row.optionalInt64("user_id")
        actor = try row.optionalString("actor")
        provider = try row.optionalString("provider")
        requestID = try row.optionalString("request_id")
        detail = try row.optionalString("detail")
    }
}

/// What a listing of the audit trail (or of link decisions) is narrowed to; nil members do not
/// narrow it. Times are unix seconds: `since` included, `until` excluded.
public struct AuditFilter: Sendable, Equatable {
    /// The event name (`AuditEvent` raw value), or for link decisions the decision name.
    public var event: String?
    public var userID: Int64?
    public var provider: String?
    public var since: Int64?
    public var until: Int64?

    public init(event: String? = nil, userID: Int64? = nil, provider: String? = nil, since: Int64? = nil, until: Int64? = nil) {
        self.event = event
        self.userID = userID
        self.provider = provider
        self.since = since
        self.until = until
    }

    /// The conditions on a table with `user_id`, `provider` and `at` columns, and `typeColumn`
    /// for `event`.
    func query(typeColumn: String) -> PagedQuery {
        var query = PagedQuery()
        if let event { query.require("\(typeColumn) = ?", .text(event)) }
        if let userID { query.require("user_id = ?", .integer(userID)) }
        if let provider { query.require("provider = ?", .text(provider)) }
        if let since { query.require("at >= ?", .integer(since)) }
        if let until { query.require("at < ?", .integer(until)) }
        return query
    }
}
