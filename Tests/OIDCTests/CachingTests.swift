import JOSE
import Testing
@testable import OIDC

@Suite("Cache-Control parsing")
struct CacheControlTests {
    @Test("directives", arguments: [
        ("max-age=300", CacheControl(maxAge: 300), "plain max-age"),
        ("public, max-age=300, must-revalidate", CacheControl(maxAge: 300, mustRevalidate: true), "several directives"),
        ("MAX-AGE=300", CacheControl(maxAge: 300), "directive names are case-insensitive"),
        ("max-age=\"300\"", CacheControl(maxAge: 300), "a quoted argument is tolerated"),
        ("s-maxage=10, max-age=300", CacheControl(maxAge: 300), "s-maxage is for shared caches and ignored"),
        ("s-maxage=10", CacheControl(), "s-maxage alone sets nothing"),
        ("no-store", CacheControl(noStore: true), "no-store"),
        ("no-cache", CacheControl(noCache: true), "no-cache"),
        ("no-cache=\"set-cookie, x\", max-age=60", CacheControl(maxAge: 60, noCache: true), "a quoted list with a comma inside"),
        ("max-age=abc", CacheControl(maxAge: 0), "an invalid max-age makes the response stale"),
        ("max-age=-5", CacheControl(maxAge: 0), "a negative max-age is invalid"),
        ("max-age=99999999999999999999", CacheControl(maxAge: 2_147_483_648), "a huge max-age saturates instead of trapping"),
        ("max-age=600, max-age=60", CacheControl(maxAge: 60), "conflicting max-ages: the smallest wins"),
        ("", CacheControl(), "empty"),
    ])
    func parse(_ value: String, _ expected: CacheControl, _ reason: String) {
        #expect(CacheControl.parse(value) == expected, "\(reason)")
    }

    @Test("several header lines combine")
    func severalLines() {
        #expect(CacheControl.parse(["max-age=300", "no-cache"]) == CacheControl(maxAge: 300, noCache: true))
    }
}

@Suite("JWKS cache state")
struct JWKSCacheStateTests {
    static let policy = JWKSCachePolicy(minimumRefetchIntervalSeconds: 60)
    static let t0: Int64 = 1_700_000_000

    @Test("lifetime: max-age clamped between floor and ceiling, default without header, no-store and no-cache at the floor", arguments: [
        (CacheControl(maxAge: 600), Int64(600), "max-age within bounds is honoured"),
        (CacheControl(maxAge: 5), Int64(60), "max-age under the floor is raised to it"),
        (CacheControl(maxAge: 10_000_000), Int64(86_400), "max-age over the ceiling is lowered to it"),
        (CacheControl(), Int64(3_600), "no header: the default"),
        (CacheControl(maxAge: 600, noStore: true), Int64(60), "no-store: as short as the floor allows"),
        (CacheControl(noCache: true), Int64(60), "no-cache: as short as the floor allows"),
        (CacheControl(maxAge: 0), Int64(60), "max-age=0: the floor"),
    ])
    func lifetime(_ cacheControl: CacheControl, _ expected: Int64, _ reason: String) {
        #expect(Self.policy.lifetime(for: cacheControl) == expected, "\(reason)")
    }

    @Test("needs a fetch at first, not after one, again once expired")
    func refreshCycle() {
        var state = JWKSCacheState(policy: Self.policy)
        #expect(state.needsRefresh(now: Self.t0))
        #expect(state.usableKeys(now: Self.t0) == nil)
        state.recordFetch(keys: Fixture.keySet(), cacheControl: CacheControl(maxAge: 300), now: Self.t0)
        #expect(!state.needsRefresh(now: Self.t0 + 299))
        #expect(state.needsRefresh(now: Self.t0 + 300))
        #expect(state.usableKeys(now: Self.t0 + 299)?.keys.count == 1)
    }

    @Test("a routine fetch does not hold back the first unknown kid; a flood of them fetches once per interval")
    func unknownKeyIDRateLimit() {
        var state = JWKSCacheState(policy: Self.policy)
        state.recordFetch(keys: Fixture.keySet(), cacheControl: CacheControl(), now: Self.t0)
        // The independent suite's finding: the provider rotated a second after our routine fetch.
        let rightAfterRoutineFetch = state.claimRefetchForUnknownKeyID(now: Self.t0 + 1)
        #expect(rightAfterRoutineFetch)
        // The claim counts: every other unknown kid within the interval fetches nothing.
        var granted = 0
        for second in Int64(1)..<Int64(61) where state.claimRefetchForUnknownKeyID(now: Self.t0 + second) { granted += 1 }
        #expect(granted == 0)
        #expect(state.mayRefetchForUnknownKeyID(now: Self.t0 + 61))
        // A routine fetch in between does not reset the interval either way.
        state.recordFetch(keys: Fixture.keySet(), cacheControl: CacheControl(), now: Self.t0 + 61)
        let afterInterval = state.claimRefetchForUnknownKeyID(now: Self.t0 + 61)
        #expect(afterInterval)
    }

    @Test("key rotation: an unknown kid, one refetch, and the new key verifies without restart")
    func rotation() throws {
        var state = JWKSCacheState(policy: Self.policy)
        state.recordFetch(keys: Fixture.keySet(), cacheControl: CacheControl(maxAge: 3600), now: Self.t0)
        let rotated = signedToken(header: #"{"alg":"EdDSA","kid":"ed-2"}"#, seed: Ed25519TestSigner.otherSeed)
        let now = Self.t0 + 120
        let keys = try #require(state.usableKeys(now: now))
        #expect(errorCode { try validate(rotated, keys: keys, now: Fixture.now) } == .unknownSigningKey)
        let granted = state.claimRefetchForUnknownKeyID(now: now)
        #expect(granted)
        // The fetch layer fetched the provider's new set: old and new keys side by side.
        let newSet = Fixture.keySet([Ed25519TestSigner.jwk(kid: "ed-1"), Ed25519TestSigner.jwk(kid: "ed-2", seed: Ed25519TestSigner.otherSeed)])
        state.recordFetch(keys: newSet, cacheControl: CacheControl(maxAge: 3600), now: now)
        let claims = try validate(rotated, keys: try #require(state.usableKeys(now: now)), now: Fixture.now)
        #expect(claims.subject == "248289761001")
    }

    @Test("failed fetches back off exponentially and keep the previous keys until too stale")
    func failureBackoff() {
        var state = JWKSCacheState(policy: Self.policy)
        state.recordFetch(keys: Fixture.keySet(), cacheControl: CacheControl(maxAge: 60), now: Self.t0)
        let expired = Self.t0 + 60
        #expect(state.needsRefresh(now: expired))
        state.recordFetchFailure(now: expired)
        #expect(!state.needsRefresh(now: expired + 4))
        #expect(state.needsRefresh(now: expired + 5))
        state.recordFetchFailure(now: expired + 5)
        #expect(!state.needsRefresh(now: expired + 14))
        #expect(state.needsRefresh(now: expired + 15))
        #expect(!state.mayRefetchForUnknownKeyID(now: expired + 14), "no refetch during backoff")
        #expect(state.usableKeys(now: expired + 86_399) != nil, "stale keys serve while the provider is down")
        #expect(state.usableKeys(now: expired + 86_400) == nil, "but not for longer than maximumStaleSeconds")
        state.recordFetch(keys: Fixture.keySet(), cacheControl: CacheControl(), now: expired + 20)
        #expect(state.consecutiveFailures == 0)
        #expect(state.retryNotBefore == nil)
    }

    @Test("the settings' refetch interval is the policy's")
    func fromSettings() {
        var settings = Fixture.settings
        settings.jwksMinimumRefetchIntervalSeconds = 300
        #expect(JWKSCachePolicy(settings: settings).minimumRefetchIntervalSeconds == 300)
    }
}

@Suite("Discovery refresh schedule")
struct DiscoveryRefreshScheduleTests {
    static let t0: Int64 = 1_700_000_000

    @Test("due at first, then every refreshSeconds after a success")
    func success() {
        var schedule = DiscoveryRefreshSchedule(refreshSeconds: 3600)
        #expect(schedule.isDue(now: Self.t0))
        schedule.recordSuccess(now: Self.t0)
        #expect(!schedule.isDue(now: Self.t0 + 3599))
        #expect(schedule.isDue(now: Self.t0 + 3600))
    }

    @Test("failures back off 5, 10, 20 ... seconds up to 5 minutes, and a success resets it")
    func backoff() {
        var schedule = DiscoveryRefreshSchedule(refreshSeconds: 3600)
        let delays = (0..<9).map { _ in schedule.recordFailure(now: Self.t0) }
        #expect(delays == [5, 10, 20, 40, 80, 160, 300, 300, 300])
        #expect(schedule.nextRefreshAt == Self.t0 + 300)
        schedule.recordSuccess(now: Self.t0)
        #expect(schedule.consecutiveFailures == 0)
        #expect(schedule.recordFailure(now: Self.t0) == 5)
    }

    @Test("the settings' refresh interval is used")
    func fromSettings() {
        var settings = Fixture.settings
        settings.discoveryRefreshSeconds = 600
        var schedule = DiscoveryRefreshSchedule(settings: settings)
        schedule.recordSuccess(now: 0)
        #expect(schedule.nextRefreshAt == 600)
    }

    @Test("backoff never overflows after very many failures")
    func manyFailures() {
        #expect(RetryBackoff().delay(afterFailures: Int.max) == 300)
        #expect(RetryBackoff(initialSeconds: .max / 2 + 1, maximumSeconds: .max).delay(afterFailures: 5) == .max)
    }
}
