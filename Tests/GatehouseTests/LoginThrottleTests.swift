import Gatehouse
import Testing

@Suite("LoginThrottle")
struct LoginThrottleTests {
    static let start: Int64 = 1_700_000_000

    /// Records `count` failures at `now`, checking each is allowed first.
    private func fail(_ throttle: LoginThrottle, _ count: Int, address: String = "192.0.2.1", identifier: String = "alice", now: Int64) {
        for _ in 0..<count {
            #expect(throttle.check(clientAddress: address, identifier: identifier, now: now) == .allowed)
            throttle.recordFailure(clientAddress: address, identifier: identifier, now: now)
        }
    }

    @Test("delays by failure count", arguments: [
        (5, Int64(0)),  // the free ones cost nothing
        (6, 1),  // the first beyond them
        (7, 2),
        (8, 4),
        (14, 256),
        (15, 512),
        (16, 900),  // 1024 capped at 15 minutes
        (10_000, 900),  // no overflow however many
    ])
    func delays(_ failures: Int, _ seconds: Int64) {
        let throttle = LoginThrottle()
        let now = Self.start
        for _ in 0..<failures { throttle.recordFailure(clientAddress: "a", identifier: "x", now: now) }
        let expected: LoginThrottleDecision = seconds == 0 ? .allowed : .limited(retryAfterSeconds: seconds)
        #expect(throttle.check(clientAddress: "a", identifier: "x", now: now) == expected)
    }

    @Test func delaysGrowAndExpire() {
        let throttle = LoginThrottle()
        var now = Self.start
        fail(throttle, 6, now: now)
        #expect(throttle.check(clientAddress: "192.0.2.1", identifier: "alice", now: now) == .limited(retryAfterSeconds: 1))
        now += 1
        fail(throttle, 1, now: now)
        #expect(throttle.check(clientAddress: "192.0.2.1", identifier: "alice", now: now) == .limited(retryAfterSeconds: 2))
        #expect(throttle.check(clientAddress: "192.0.2.1", identifier: "alice", now: now + 1) == .limited(retryAfterSeconds: 1))
        now += 2
        fail(throttle, 1, now: now)
        #expect(throttle.check(clientAddress: "192.0.2.1", identifier: "alice", now: now) == .limited(retryAfterSeconds: 4))
        // Fifteen quiet minutes forget everything.
        now += 900
        fail(throttle, 5, now: now)
        #expect(throttle.check(clientAddress: "192.0.2.1", identifier: "alice", now: now) == .allowed)
    }

    /// An IPv6 client counts by its /64 (review finding: keyed by exact address, every address
    /// of one network had five free guesses of its own).
    @Test("one client trying many accounts is limited by its address", arguments: [
        (["198.51.100.7"], "198.51.100.8"),
        ((1...6).map { "2001:db8:5::\($0)" } + ["2001:db8:5::ffff"], "2001:db8:6::1"),
    ])
    func oneClientTryingManyAccountsIsLimitedByItsAddress(_ addresses: [String], _ anotherClient: String) {
        let throttle = LoginThrottle()
        for index in 0..<6 {
            throttle.recordFailure(clientAddress: addresses[min(index, addresses.count - 1)], identifier: "user\(index)", now: Self.start)
        }
        #expect(throttle.check(clientAddress: addresses.last!, identifier: "fresh", now: Self.start) == .limited(retryAfterSeconds: 1))
        #expect(throttle.check(clientAddress: anotherClient, identifier: "fresh", now: Self.start) == .allowed)
    }

    @Test func manyAddressesTryingOneAccountAreLimitedByTheIdentifier() {
        let throttle = LoginThrottle()
        for index in 0..<6 {
            // Case and surrounding spaces do not make a new identifier.
            throttle.recordFailure(clientAddress: "203.0.113.\(index)", identifier: index.isMultiple(of: 2) ? " Alice " : "ALICE", now: Self.start)
        }
        #expect(throttle.check(clientAddress: "203.0.113.99", identifier: "alice", now: Self.start) == .limited(retryAfterSeconds: 1))
    }

    @Test func successResetsTheIdentifierButNotTheAddress() {
        let throttle = LoginThrottle()
        fail(throttle, 6, now: Self.start)
        throttle.recordSuccess(identifier: "Alice", account: .user(1))
        #expect(throttle.check(clientAddress: "192.0.2.50", identifier: "alice", now: Self.start) == .allowed, "identifier reset")
        #expect(throttle.check(clientAddress: "192.0.2.1", identifier: "bob", now: Self.start) == .limited(retryAfterSeconds: 1),
                "an attacker's own success must not clear their address")
    }

    @Test func tableSizeIsBoundedAndFloodsDoNotEvictTheAttackedAccount() {
        let policy = LoginThrottlePolicy(freeFailures: 5, windowSeconds: 900, firstDelaySeconds: 1, maximumDelaySeconds: 900, maximumEntries: 50)
        let throttle = LoginThrottle(policy: policy)
        for _ in 0..<8 { throttle.recordFailure(clientAddress: "192.0.2.1", identifier: "victim", now: Self.start) }
        for index in 0..<2_000 {
            throttle.recordFailure(clientAddress: "10.0.\(index / 256).\(index % 256)", identifier: "random-\(index)", now: Self.start + 1)
        }
        let counts = throttle.entryCounts
        #expect(counts.addresses <= 50 && counts.identifiers <= 50)
        #expect(throttle.check(clientAddress: "192.0.2.200", identifier: "victim", now: Self.start + 1) != .allowed)
    }

    /// Review finding: with the table full of fresh entries, every new key of a flood made a
    /// pass over the whole table under its lock. A pass now frees a tenth of it.
    @Test func aFullTableOfFreshEntriesFreesATenthAtOnce() {
        let policy = LoginThrottlePolicy(freeFailures: 5, windowSeconds: 900, firstDelaySeconds: 1, maximumDelaySeconds: 900, maximumEntries: 50)
        let throttle = LoginThrottle(policy: policy)
        for index in 0..<50 { throttle.recordFailure(clientAddress: "192.0.2.1", identifier: "one-off-\(index)", now: Self.start) }
        #expect(throttle.entryCounts.identifiers == 50)
        throttle.recordFailure(clientAddress: "192.0.2.1", identifier: "one-more", now: Self.start)
        #expect(throttle.entryCounts.identifiers == 46, "five of the least failed went, and the new one came in")
    }

    @Test func staleEntriesAreSweptWhenTheTableIsFull() {
        let policy = LoginThrottlePolicy(freeFailures: 5, windowSeconds: 900, firstDelaySeconds: 1, maximumDelaySeconds: 900, maximumEntries: 10)
        let throttle = LoginThrottle(policy: policy)
        for index in 0..<10 { throttle.recordFailure(clientAddress: "a", identifier: "old\(index)", now: Self.start) }
        throttle.recordFailure(clientAddress: "a", identifier: "new", now: Self.start + 901)
        #expect(throttle.entryCounts.identifiers == 1, "all ten were stale")
    }
}
