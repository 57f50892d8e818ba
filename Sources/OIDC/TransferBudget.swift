
/// The time the back-channel transfers of one callback share. Each transfer has its own limit
/// in the transport, and a callback can make up to five (discovery, the key set twice, the
/// token endpoint, userinfo; or GitHub's token endpoint and two API calls): without a budget, a
/// provider that answered each just before its limit held the browser, and one of the
/// provider's executor threads, for most of a minute.
struct TransferBudget: Sendable {
    /// When the budget ends, on `clock`'s monotonic nanoseconds; nil for no budget beyond each
    /// transfer's own limit.
    private let deadline: UInt64?
    private let clock: @Sendable () -> UInt64

    static let unbounded = TransferBudget(deadline: nil, clock: { 0 })

    private init(deadline: UInt64?, clock: @escaping @Sendable () -> UInt64) {
        self.deadline = deadline
        self.clock = clock
    }

    /// A budget of `seconds` from now.
    init(seconds: Int, clock: @escaping @Sendable () -> UInt64) {
        self.init(deadline: clock() &+ UInt64(max(0, seconds)) &* 1_000_000_000, clock: clock)
    }

    /// Whether less than a millisecond is left: a transfer that failed now may have failed for
    /// want of time rather than through the provider's fault.
    var isSpent: Bool {
        deadline.map { Self.millisecondsLeft(until: $0, now: clock()) == 0 } ?? false
    }

    /// The milliseconds the next transfer may take at most (nil: its own limit alone), or the
    /// error that the budget is spent, in which case the transfer is not made.
    func limitMilliseconds(for what: String) throws(OIDCError) -> Int? {
        guard let deadline else { return nil }
        let left = Self.millisecondsLeft(until: deadline, now: clock())
        guard left > 0 else {
            throw OIDCError.make(.transportFailed, "the provider's \(what) was not asked: the callback's time for the provider ran out")
        }
        return left
    }

    private static func millisecondsLeft(until deadline: UInt64, now: UInt64) -> Int {
        now >= deadline ? 0 : Int((deadline - now) / 1_000_000)
    }
}
