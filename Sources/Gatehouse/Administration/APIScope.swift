/// What an API token may do. Each admin endpoint names the one scope it needs; `admin` grants
/// every scope, and alone manages tokens and moves identities between issuers.
public enum APIScope: String, Sendable, CaseIterable, Comparable {
    case usersRead = "users:read"
    case usersWrite = "users:write"
    case sessionsWrite = "sessions:write"
    case eventsRead = "events:read"
    case providersRead = "providers:read"
    case metricsRead = "metrics:read"
    case admin

    /// What holding it means, for `--help` and the OpenAPI document.
    public var meaning: String {
        switch self {
        case .usersRead: "read users, their identities and sessions, and simulate a sign-in"
        case .usersWrite: "create, change, deactivate and delete users; link and unlink identities; set passwords"
        case .sessionsWrite: "revoke sessions"
        case .eventsRead: "read the audit trail and the link decisions"
        case .providersRead: "read the providers' policies and status"
        case .metricsRead: "scrape /metrics on the public listener"
        case .admin: "everything, and manage API tokens and re-key issuers"
        }
    }

    public static func < (lhs: APIScope, rhs: APIScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension Collection<APIScope> {
    /// Whether these scopes allow what `needed` guards.
    public func allow(_ needed: APIScope) -> Bool {
        contains(needed) || contains(.admin)
    }
}
