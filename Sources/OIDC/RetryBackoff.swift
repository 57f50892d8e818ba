/// Exponential backoff after consecutive failures: `initialSeconds`, doubled each time, never
/// beyond `maximumSeconds`. A provider that is down is asked again soon, but not in a loop.
public struct RetryBackoff: Sendable, Equatable {
    public var initialSeconds: Int64
    public var maximumSeconds: Int64

    public init(initialSeconds: Int64 = 5, maximumSeconds: Int64 = 300) {
        self.initialSeconds = max(1, initialSeconds)
        self.maximumSeconds = max(self.initialSeconds, maximumSeconds)
    }

    /// The wait after the `failures`-th consecutive failure (1 for the first).
    public func delay(afterFailures failures: Int) -> Int64 {
        var delay = initialSeconds
        var remaining = failures - 1
        while remaining > 0 && delay < maximumSeconds {
            delay = delay.multipliedReportingOverflow(by: 2).overflow ? maximumSeconds : delay * 2
            remaining -= 1
        }
        return min(delay, maximumSeconds)
    }
}

/// `lhs + rhs`, saturating at the ends of Int64 instead of trapping: times from a token or a
/// header can be anything, and an overflow must not crash the server.
func saturatingAdd(_ lhs: Int64, _ rhs: Int64) -> Int64 {
    let (sum, overflow) = lhs.addingReportingOverflow(rhs)
    if !overflow { return sum }
    return rhs > 0 ? .max : .min
}
