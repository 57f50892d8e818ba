/// One linking decision as `link_decisions` records it: which rule fired, and why.
public struct LinkDecisionEntry: Sendable, Equatable {
    public var provider: String
    public var issuer: String
    public var subject: String
    public var userID: Int64?
    /// `sign_in`, `fill_subject`, `link`, `create` or `deny` (`decisions`).
    public var decision: String
    /// The deny reason code; set exactly when `decision` is `deny`.
    public var reason: String?
    public var rule: String
    public var requestID: String?

    /// Every stored decision name, as the schema's CHECK allows them.
    public static let decisions = ["sign_in", "fill_subject", "link", "create", "deny"]

    public init(
        provider: String, issuer: String, subject: String, userID: Int64?, decision: String,
        reason: String?, rule: String, requestID: String?
    ) {
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
        self.userID = userID
        self.decision = decision
        self.reason = reason
        self.rule = rule
        self.requestID = requestID
    }
}

/// A decision as stored, with its row id and time.
public struct RecordedLinkDecision: Sendable, Equatable {
    public let id: Int64
    public let at: Int64
    public let entry: LinkDecisionEntry
}

/// Appends to `link_decisions`, deletes decisions past the retention period, and trims denied
/// decisions beyond their budget; entries are never updated.
///
/// Anyone whose provider account is refused can cause a deny, so denies are kept to the
/// unauthenticated budget by the triggers of migration 0018: the cap (`audit_budget.cap`, from
/// `database.max_unauthenticated_audit_entries`) is shared equally by the deny reasons, and past
/// its share each new deny removes the oldest of its own reason. Decisions that signed someone in
/// or linked an identity are never removed to make room.
public struct LinkDecisionRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    @discardableResult
    public func append(_ entry: LinkDecisionEntry, now: Int64) throws(StoreError) -> Int64 {
        try connection.execute(
            """
            INSERT INTO link_decisions (at, provider, issuer, subject, user_id, decision, reason, rule, request_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(now), .text(entry.provider), .text(entry.issuer), .text(entry.subject), SQLValue(entry.userID),
                .text(entry.decision), SQLValue(entry.reason), .text(entry.rule), SQLValue(entry.requestID),
            ]
        )
        return connection.lastInsertRowID
    }

    /// Deletes the oldest `limit` decisions older than `cutoff` (fewer when fewer are left), found
    /// through the `at` index; returns how many. A batch, as `AuditLogRepository.deleteOlder` is.
    @discardableResult
    public func deleteOlder(than cutoff: Int64, limit: Int) throws(StoreError) -> Int {
        try TrailTable(name: "link_decisions", connection: connection).deleteOlder(than: cutoff, limit: limit)
    }

    /// How many denies of each reason are stored, and each reason's share of the cap (the cap
    /// divided equally among the reasons, rounded up; migration 0018).
    public func deniedBudget() throws(StoreError) -> (used: [String: Int64], share: Int64) {
        try TrailTable(name: "link_decisions", connection: connection)
            .budget(counts: "link_deny_reasons", kindColumn: "reason", shareView: "link_deny_share")
    }

    /// Deletes the oldest denies of each reason stored past its share (left over when the cap
    /// was lowered), at most `limit` in all (each an index lookup), so one call never holds the
    /// writer long. Returns how many.
    @discardableResult
    public func trimDenied(limit: Int) throws(StoreError) -> Int {
        let (used, share) = try deniedBudget()
        return try TrailTable(name: "link_decisions", connection: connection).trimBeyondShare(used, share: share, kindColumn: "reason", limit: limit)
    }

    /// One page of recorded decisions, newest first; `filter.event` names a decision
    /// (`sign_in`, `fill_subject`, `link`, `create`, `deny`).
    public func page(_ filter: AuditFilter, _ request: PageRequest) throws(StoreError) -> Page<RecordedLinkDecision> {
        return try filter.query(typeColumn: "decision").page(
            "id, at, provider, issuer, subject, user_id, decision, reason, rule, request_id", from: "link_decisions",
            order: .newestFirst, request, on: connection,
            decode: { row throws(StoreError) in
                RecordedLinkDecision(id: try row.int64("id"), at: try row.int64("at"), entry: try Self.entry(row))
            },
            id: \.id
        )
    }

    /// The most recent entries first, for operators and tests.
    public func recent(limit: Int = 100) throws(StoreError) -> [LinkDecisionEntry] {
        try connection.query(
            "SELECT provider, issuer, subject, user_id, decision, reason, rule, request_id FROM link_decisions ORDER BY id DESC LIMIT ?",
            [.integer(Int64(limit))]
        ).map { row throws(StoreError) in try Self.entry(row) }
    }

    private static func entry(_ row: Row) throws(StoreError) -> LinkDecisionEntry {
        LinkDecisionEntry(
            provider: try row.string("provider"), issuer: try row.string("issuer"), subject: try row.string("subject"),
            userID: try row.optionalInt64("user_id"), decision: try row.string("decision"),
            reason: try row.optionalString("reason"), rule: try row.string("rule"), requestID: try row.optionalString("request_id")
        )
    }
}
