import CLDAP

/// A directory's client: searches as the service account and checks people's passwords by
/// binding as their entry, each through its own bounded pool, failing over between the
/// configured servers, every call bounded by the total timeout.
public final class DirectoryClient: Sendable {
    public let settings: DirectorySettings
    private let searches: ConnectionPool
    private let binds: ConnectionPool

    public init(settings: DirectorySettings) throws(DirectoryError) {
        if let problem = settings.problems().first { throw DirectoryError(.invalidSettings, problem.message) }
        self.settings = settings
        let serviceDN = settings.bindDN
        let servicePassword = settings.bindPassword ?? ""
        searches = ConnectionPool(settings: settings) { connection throws(DirectoryError) in
            guard let serviceDN else { return }
            let code = connection.bind(dn: serviceDN, password: servicePassword)
            if code == LDAP_SUCCESS { return }
            let kind: DirectoryError.Code = LDAPConnection.isUnreachable(code) ? .unavailable : .serviceBindFailed
            throw connection.failure(kind, "binding as the service account \(serviceDN)", code)
        }
        binds = ConnectionPool(settings: settings) { _ throws(DirectoryError) in }
    }

    /// When an exchange that starts now must be over: `total_timeout_seconds` away. A caller that
    /// makes several calls for one purpose (a sign-in's search, bind and group walk) takes one
    /// and passes it to each, so the whole exchange is bounded, not each call.
    public func deadlineFromNow() -> ContinuousClock.Instant { .now + .milliseconds(Int(settings.totalTimeoutSeconds * 1000)) }

    /// Calls `each` for every entry under `base` that `filter` selects, page by page when
    /// `paged` (a full read for synchronisation) or in one answer (a sign-in's lookup, bounded
    /// by `sizeLimit`). `filter` must already hold any typed text escaped (`FilterEscaping`).
    /// `deadline` defaults to `deadlineFromNow()`.
    public func search(
        base: String, filter: String, attributes: [String], paged: Bool = true, sizeLimit: Int32 = 0, scope: SearchScope = .subtree,
        deadline: ContinuousClock.Instant? = nil, each: (DirectoryEntry) throws(DirectoryError) -> Void
    ) throws(DirectoryError) {
        let deadline = deadline ?? deadlineFromNow()
        try searches.with(deadline: deadline) { connection throws(DirectoryError) in
            try connection.search(
                base: base, scope: scope, filter: filter, attributes: attributes, pageSize: paged ? settings.pageSize : 0,
                timeoutSeconds: settings.operationTimeoutSeconds, deadline: deadline, sizeLimit: sizeLimit, each: each
            )
        }
    }

    /// Every entry the search selects, collected.
    public func search(
        base: String, filter: String, attributes: [String], paged: Bool = true, sizeLimit: Int32 = 0, scope: SearchScope = .subtree,
        deadline: ContinuousClock.Instant? = nil
    ) throws(DirectoryError) -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        try search(base: base, filter: filter, attributes: attributes, paged: paged, sizeLimit: sizeLimit, scope: scope, deadline: deadline) { entry throws(DirectoryError) in
            entries.append(entry)
        }
        return entries
    }

    /// Whether `password` is the password of the entry `dn`: a simple bind as it. An empty
    /// password is refused before any bind (it would be an unauthenticated bind, which
    /// succeeds: RFC 4513 section 5.1.2). False for wrong credentials; thrown for a server that
    /// cannot answer. `deadline` defaults to `deadlineFromNow()`.
    public func verifyPassword(dn: String, password: String, deadline: ContinuousClock.Instant? = nil) throws(DirectoryError) -> Bool {
        guard !password.isEmpty else { throw DirectoryError(.emptyPassword, "an empty password is never sent to the directory") }
        guard !dn.isEmpty else { throw DirectoryError(.invalidCredentials, "no entry to bind as") }
        let deadline = deadline ?? deadlineFromNow()
        return try binds.with(deadline: deadline) { connection throws(DirectoryError) in
            guard let seconds = LDAPConnection.timeLimit(settings.operationTimeoutSeconds, before: deadline) else {
                throw DirectoryError(.timedOut, "the exchange ran out of time before the bind")
            }
            connection.limitOperations(toSeconds: seconds)
            let code = connection.bind(dn: dn, password: password)
            if code == LDAP_SUCCESS { return true }
            if code == LDAP_INVALID_CREDENTIALS || code == LDAP_INAPPROPRIATE_AUTH || code == LDAP_UNWILLING_TO_PERFORM { return false }
            let kind: DirectoryError.Code = LDAPConnection.isUnreachable(code) ? .unavailable : .invalidCredentials
            throw connection.failure(kind, "binding as the person's entry", code)
        }
    }

    /// Open connections across both pools.
    public var openConnections: Int { searches.openCount + binds.openCount }
}

/// How far below the base a search looks.
public enum SearchScope: Sendable {
    /// The base entry and everything under it.
    case subtree
    /// The base entry alone (reading one group by its DN).
    case base
}
