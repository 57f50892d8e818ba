import Store

/// How the audit trail and the link decisions are narrowed: by type (an audit event's name, or
/// a decision), user, provider, and a time range in unix seconds (`since` included, `until`
/// excluded). Newest first.
public typealias TrailQuery = AuditFilter

extension Administration {
    public func auditEvents(_ query: TrailQuery, _ page: PageRequest) throws -> Page<AuditEntry> {
        try read { try AuditLogRepository($0).page(query, page) }
    }

    public func linkDecisions(_ query: TrailQuery, _ page: PageRequest) throws -> Page<RecordedLinkDecision> {
        try read { try LinkDecisionRepository($0).page(query, page) }
    }
}
