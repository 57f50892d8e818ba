
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

    /// The milliseconds the next transfer may take at most (nil: its own limit alone), or the
    /// error that the budget is spent, in which case the transfer is not made.
    func limitMilliseconds(for what: String) throws(OIDCError) -> Int? {
        guard let deadline else { return nil }
        let now = clock()
        guard now < deadline, (deadline - now) / 1_000_000 > 0 else {
            throw OIDCError.make(.transportFailed, "the provider's \(what) was not asked: the callback's time for the provider ran out")
        }
        return Int((deadline - now) / 1_000_000)
    }
}
