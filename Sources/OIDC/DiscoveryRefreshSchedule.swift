/// When to fetch a provider's discovery document again: `refreshSeconds` after a success, and
/// after a failure an exponential backoff (5 s doubling up to 5 minutes by default), reset by
/// the next success. Pure: the caller passes the time and reports outcomes.
public struct DiscoveryRefreshSchedule: Sendable, Equatable {
    public let refreshSeconds: Int64
    public let backoff: RetryBackoff
    /// When the next fetch is due; nil before the first fetch, which is due at once.
    public private(set) var nextRefreshAt: Int64?
    public private(set) var consecutiveFailures = 0

    public init(refreshSeconds: Int64, backoff: RetryBackoff = RetryBackoff()) {
        self.refreshSeconds = max(1, refreshSeconds)
        self.backoff = backoff
    }

    public init(settings: OIDCProviderSettings) {
        self.init(refreshSeconds: Int64(settings.discoveryRefreshSeconds))
    }

    public func isDue(now: Int64) -> Bool {
        guard let nextRefreshAt else { return true }
        return now >= nextRefreshAt
    }

    public mutating func recordSuccess(now: Int64) {
        consecutiveFailures = 0
        nextRefreshAt = saturatingAdd(now, refreshSeconds)
    }

    /// Records a failed fetch and returns how long until the next try.
    @discardableResult
    public mutating func recordFailure(now: Int64) -> Int64 {
        consecutiveFailures = consecutiveFailures == .max ? .max : consecutiveFailures + 1
        let delay = backoff.delay(afterFailures: consecutiveFailures)
        nextRefreshAt = saturatingAdd(now, delay)
        return delay
    }
}
