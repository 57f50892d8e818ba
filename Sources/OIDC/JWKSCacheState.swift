import JOSE

/// The bounds a JWKS cache keeps to, whatever the provider's headers say.
public struct JWKSCachePolicy: Sendable, Equatable {
    /// A key set is kept at least this long, even with `no-store`, `no-cache` or `max-age=0`:
    /// otherwise every sign-in would fetch it again.
    public var minimumLifetimeSeconds: Int64
    /// A key set is kept at most this long, even with a huge `max-age`, so rotation is noticed.
    public var maximumLifetimeSeconds: Int64
    /// How long a key set is kept when the response has no usable `max-age`.
    public var defaultLifetimeSeconds: Int64
    /// The least time between two fetches prompted by an unknown `kid`, so a flood of tokens with
    /// made-up `kid`s cannot make Gatehouse hammer the provider.
    public var minimumRefetchIntervalSeconds: Int64
    /// How long past its expiry a key set may still be used while fetching a new one keeps failing.
    public var maximumStaleSeconds: Int64
    /// Waits between failed fetches.
    public var failureBackoff: RetryBackoff

    public init(
        minimumLifetimeSeconds: Int64 = 60,
        maximumLifetimeSeconds: Int64 = 86_400,
        defaultLifetimeSeconds: Int64 = 3_600,
        minimumRefetchIntervalSeconds: Int64 = 5,
        maximumStaleSeconds: Int64 = 86_400,
        failureBackoff: RetryBackoff = RetryBackoff()
    ) {
        self.minimumLifetimeSeconds = max(0, minimumLifetimeSeconds)
        self.maximumLifetimeSeconds = max(self.minimumLifetimeSeconds, maximumLifetimeSeconds)
        self.defaultLifetimeSeconds = defaultLifetimeSeconds
        self.minimumRefetchIntervalSeconds = max(0, minimumRefetchIntervalSeconds)
        self.maximumStaleSeconds = max(0, maximumStaleSeconds)
        self.failureBackoff = failureBackoff
    }

    /// The defaults, with the provider's configured refetch interval.
    public init(settings: OIDCProviderSettings) {
        self.init(minimumRefetchIntervalSeconds: Int64(settings.jwksMinimumRefetchIntervalSeconds))
    }

    /// How long a key set fetched with `cacheControl` is kept: `max-age` (0 for `no-store`,
    /// `no-cache` or `must-revalidate` without one), else the default, clamped to the bounds.
    public func lifetime(for cacheControl: CacheControl) -> Int64 {
        let wanted: Int64
        if cacheControl.noStore || cacheControl.noCache {
            wanted = 0
        } else if let maxAge = cacheControl.maxAge {
            wanted = maxAge
        } else {
            wanted = defaultLifetimeSeconds
        }
        return min(max(wanted, minimumLifetimeSeconds), maximumLifetimeSeconds)
    }
}

/// One provider's JWKS cache as a pure state machine: the caller fetches, and tells it what
/// happened and when; it says when to fetch. It reads no clock and does no I/O, so every
/// transition is tested without waiting (the habit of Hummingbird's connection state machine).
///
/// The caller's sequence for a token:
/// 1. `needsRefresh(now:)` true: fetch, then `recordFetch` or `recordFetchFailure`.
/// 2. Verify with `usableKeys(now:)`.
/// 3. On `OIDCError.Code.unknownSigningKey`: if `claimRefetchForUnknownKeyID(now:)` returns true,
///    fetch (this is how a key rotation is picked up without restart) and verify once more;
///    otherwise refuse the token.
public struct JWKSCacheState: Sendable {
    public let policy: JWKSCachePolicy
    /// The last key set fetched successfully.
    public private(set) var keys: JSONWebKeySet?
    public private(set) var fetchedAt: Int64?
    /// When `keys` should be fetched again.
    public private(set) var expiresAt: Int64?
    /// When an unknown `kid` last made a fetch.
    public private(set) var lastUnknownKeyRefetchAt: Int64?
    public private(set) var consecutiveFailures = 0
    /// After a failure, no fetch before this time.
    public private(set) var retryNotBefore: Int64?

    public init(policy: JWKSCachePolicy) {
        self.policy = policy
    }

    /// Records a successful fetch of `keys` whose response carried `cacheControl`.
    public mutating func recordFetch(keys: JSONWebKeySet, cacheControl: CacheControl, now: Int64) {
        self.keys = keys
        fetchedAt = now
        expiresAt = saturatingAdd(now, policy.lifetime(for: cacheControl))
        consecutiveFailures = 0
        retryNotBefore = nil
    }

    /// Records a failed fetch; the previous key set, if any, stays in use until it is too stale.
    public mutating func recordFetchFailure(now: Int64) {
        consecutiveFailures = consecutiveFailures == .max ? .max : consecutiveFailures + 1
        retryNotBefore = saturatingAdd(now, policy.failureBackoff.delay(afterFailures: consecutiveFailures))
    }

    /// Whether the key set should be fetched now: there is none or it has expired, and no failure
    /// backoff is running.
    public func needsRefresh(now: Int64) -> Bool {
        if let retryNotBefore, now < retryNotBefore { return false }
        guard keys != nil, let expiresAt else { return true }
        return now >= expiresAt
    }

    /// The key set to verify with: the last one fetched, unless it expired more than
    /// `maximumStaleSeconds` ago (a provider unreachable for a day must not keep a key alive
    /// that it may have withdrawn).
    public func usableKeys(now: Int64) -> JSONWebKeySet? {
        guard let keys, let expiresAt else { return nil }
        return now < saturatingAdd(expiresAt, policy.maximumStaleSeconds) ? keys : nil
    }

    /// Whether a token with an unknown `kid` may make us fetch the key set now: only when no
    /// other unknown `kid` did in the last `minimumRefetchIntervalSeconds`, and no failure
    /// backoff is running. Routine fetches do not count: a provider that rotates its key just
    /// after one must not see its first sign-ins with the new key refused. An ID token reaches
    /// this point only after a real code exchange, but a logout token comes from anyone who can
    /// reach the back-channel endpoint, signed or not: the interval is what keeps those from
    /// making Gatehouse hammer the provider, and at worst one of them takes a rotation's refetch
    /// one interval before the provider's own token would have.
    public func mayRefetchForUnknownKeyID(now: Int64) -> Bool {
        if let retryNotBefore, now < retryNotBefore { return false }
        guard let lastUnknownKeyRefetchAt else { return true }
        return now >= saturatingAdd(lastUnknownKeyRefetchAt, policy.minimumRefetchIntervalSeconds)
    }

    /// Checks `mayRefetchForUnknownKeyID` and, when it allows, records the attempt at once, so
    /// that concurrent tokens with unknown `kid`s lead to one fetch, not one each.
    public mutating func claimRefetchForUnknownKeyID(now: Int64) -> Bool {
        guard mayRefetchForUnknownKeyID(now: now) else { return false }
        lastUnknownKeyRefetchAt = now
        return true
    }
}
