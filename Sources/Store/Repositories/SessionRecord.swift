/// A row of `sessions`. Timestamps are unix seconds. `tokenHash` is the SHA-256 of the cookie
/// value; the cookie value itself is never stored.
public struct SessionRecord: Sendable, Equatable {
    public let id: Int64
    public let tokenHash: [UInt8]
    /// Nil until the session signs in.
    public let userID: Int64?
    public let createdAt: Int64
    public let lastSeenAt: Int64
    public let idleExpiresAt: Int64
    public let absoluteExpiresAt: Int64
    public let revokedAt: Int64?
    public let authenticatedAt: Int64?
    public let provider: String?
    public let userAgent: String?
    public let clientAddress: String?
    /// The group values from the sign-in's groups claim (migration 0006), in claim order.
    public let groups: [String]

    public init(
        id: Int64, tokenHash: [UInt8], userID: Int64?, createdAt: Int64, lastSeenAt: Int64,
        idleExpiresAt: Int64, absoluteExpiresAt: Int64, revokedAt: Int64?, details: SessionDetails
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.idleExpiresAt = idleExpiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
        self.revokedAt = revokedAt
        self.authenticatedAt = details.authenticatedAt
        self.provider = details.provider
        self.userAgent = details.userAgent
        self.clientAddress = details.clientAddress
        self.groups = details.groups
    }

    /// Whether the session may be used at `now`: not revoked, and `now` before both expiries.
    /// An expiry instant itself is already expired.
    public func isActive(at now: Int64) -> Bool {
        revokedAt == nil && now < idleExpiresAt && now < absoluteExpiresAt
    }

    /// Whether a `touch` at `now` would write: only once `minimumInterval` seconds have passed
    /// since `lastSeenAt`, so a busy session does not cost a write per request. Lets a caller
    /// that just read the session skip the writer entirely.
    public func needsTouch(at now: Int64, minimumInterval: Int64) -> Bool {
        let (elapsed, overflow) = now.subtractingReportingOverflow(lastSeenAt)
        return !overflow && elapsed >= minimumInterval
    }

    static let columns = """
        id, token_hash, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, \
        revoked_at, authenticated_at, provider, user_agent, client_address, groups
        """

    init(row: Row) throws(StoreError) {
        self.init(
            id: try row.int64("id"),
            tokenHash: try row.blob("token_hash"),
            userID: try row.optionalInt64("user_id"),
            createdAt: try row.int64("created_at"),
            lastSeenAt: try row.int64("last_seen_at"),
            idleExpiresAt: try row.int64("idle_expires_at"),
            absoluteExpiresAt: try row.int64("absolute_expires_at"),
            revokedAt: try row.optionalInt64("revoked_at"),
            details: SessionDetails(
                authenticatedAt: try row.optionalInt64("authenticated_at"),
                provider: try row.optionalString("provider"),
                userAgent: try row.optionalString("user_agent"),
                clientAddress: try row.optionalString("client_address"),
                groups: SessionDetails.groups(stored: try row.optionalString("groups"))
            )
        )
    }
}

/// What is known about a session beyond its identity and lifetimes.
public struct SessionDetails: Sendable, Equatable {
    /// When the user signed in (unix seconds); nil for a session that has not.
    public var authenticatedAt: Int64?
    /// The identity provider used to sign in.
    public var provider: String?
    public var userAgent: String?
    public var clientAddress: String?
    /// Group values for forward-auth; the caller filters them (no newline may occur in one,
    /// since they are stored newline-joined; a value with one is dropped rather than split).
    public var groups: [String]
    /// The ID token of a provider sign-in, sent back as `id_token_hint` at sign-out. Never
    /// read back into `SessionRecord`: records are logged and rendered.
    public var idToken: String?
    /// The ID token's `sid`, the provider's name for its own session, which a back-channel
    /// logout may name (migration 0012). Never read back into `SessionRecord`, like `idToken`.
    public var providerSessionID: String?
    /// The identity a provider sign-in signed in as, which a back-channel logout's `sub` names.
    public var identityID: Int64?

    public init(
        authenticatedAt: Int64? = nil, provider: String? = nil, userAgent: String? = nil, clientAddress: String? = nil,
        groups: [String] = [], idToken: String? = nil, providerSessionID: String? = nil, identityID: Int64? = nil
    ) {
        self.authenticatedAt = authenticatedAt
        self.provider = provider
        self.userAgent = userAgent
        self.clientAddress = clientAddress
        self.groups = groups
        self.idToken = idToken
        self.providerSessionID = providerSessionID
        self.identityID = identityID
    }

    /// The `sessions.groups` column's text: the values newline-joined, NULL for none.
    var storedGroups: String? {
        let storable = groups.filter { !$0.isEmpty && !$0.utf8.contains(0x0A) }
        return storable.isEmpty ? nil : storable.joined(separator: "\n")
    }

    /// The values back from the column's text.
    static func groups(stored: String?) -> [String] {
        guard let stored, !stored.isEmpty else { return [] }
        return stored.split(separator: "\n").map(String.init)
    }
}
