import JOSE
import Synchronization
import Testing
@testable import OIDC

/// A callback's transfers share `ProviderConnection.callbackTransferSeconds` (15 s): each is
/// asked with what is left, and one the budget cannot cover is not made. Review finding: each
/// transfer had its own 10 s limit, so a provider answering each just in time held a sign-in,
/// and one of the provider's executor threads, for up to five of them.
@Suite("Callback transfer budget")
struct CallbackTransferBudgetTests {
    /// A provider whose answers take the seconds `durations` gives for their path (`secondsPerTransfer`
    /// otherwise) on a clock the test owns; a request whose limit is shorter times out at its
    /// limit, as curl's would.
    final class SlowProvider: ProviderTransport {
        let inner: InMemoryProvider
        let durations: Mutex<[String: UInt64]>
        let secondsPerTransfer: UInt64
        let clock = Atomic<UInt64>(1_000_000_000)

        init(secondsPerTransfer: UInt64, durations: [String: UInt64] = [:]) throws {
            inner = InMemoryProvider(signer: try JWSSigningKey.generate(.es256, keyID: "first"))
            self.secondsPerTransfer = secondsPerTransfer
            self.durations = Mutex(durations)
        }

        func send(_ request: ProviderRequest) throws(ProviderTransportError) -> ProviderResponse {
            let path = String(request.url.dropFirst(InMemoryProvider.issuer.count))
            let milliseconds = (durations.withLock { $0[path] } ?? secondsPerTransfer) * 1_000
            if let limit = request.timeoutMilliseconds, milliseconds > UInt64(limit) {
                inner.state.withLock { $0.requests.append(request) }
                clock.add(UInt64(limit) * 1_000_000, ordering: .relaxed)
                throw ProviderTransportError(kind: "timedOut", detail: "no answer within \(limit) ms")
            }
            clock.add(milliseconds * 1_000_000, ordering: .relaxed)
            return try inner.send(request)
        }

        func connection() -> ProviderConnection {
            ProviderConnection(settings: InMemoryProvider.settings(), transport: self, monotonicClock: { [self] in clock.load(ordering: .relaxed) })
        }
    }

    @Test func eachTransferIsAskedWithWhatIsLeftOfTheCallbacksTime() throws {
        let provider = try SlowProvider(secondsPerTransfer: 4)
        let completed = try provider.connection().completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now)
        #expect(completed.subject == InMemoryProvider.subject)
        #expect(provider.inner.requests.map(\.timeoutMilliseconds) == [15_000, 11_000, 7_000, 3_000])
        guard case .failed = completed.userinfo else {
            Issue.record("userinfo, asked with 3 s for an answer 4 s away: \(completed.userinfo)")
            return
        }
    }

    /// Userinfo only adds claims: the sign-in goes on without it.
    @Test func userinfoIsNotAskedOnceTheTimeIsSpent() throws {
        let provider = try SlowProvider(secondsPerTransfer: 5)
        let completed = try provider.connection().completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now)
        #expect(provider.inner.requests(to: "/userinfo").isEmpty)
        guard case .failed(let error) = completed.userinfo else {
            Issue.record("userinfo: \(completed.userinfo)")
            return
        }
        #expect(error.code == .transportFailed)
    }

    /// A key set the budget cannot cover stops the sign-in, and is no failure of the provider's:
    /// no backoff holds the next sign-in's fetch.
    @Test func aKeySetNotAskedForWantOfTimeIsNoFetchFailure() throws {
        let provider = try SlowProvider(secondsPerTransfer: 0, durations: ["/.well-known/openid-configuration": 8, "/token": 7])
        let connection = provider.connection()
        #expect {
            try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now)
        } throws: { error in
            guard case CodeFlowFailure.idTokenRejected(let cause) = error else { return false }
            return cause.code == .transportFailed
        }
        #expect(provider.inner.requests(to: "/jwks").isEmpty)
        #expect(connection.status().jwks.lastFailureAt == nil)
    }

    /// Review finding: a key-set fetch the callback's time cut short set the provider's
    /// backoff, so the next sign-ins were refused its failure without a fetch.
    @Test func aKeySetFetchCutShortByTheCallbacksTimeSetsNoBackoff() throws {
        let provider = try SlowProvider(secondsPerTransfer: 0, durations: ["/.well-known/openid-configuration": 1, "/token": 9, "/jwks": 7])
        let connection = provider.connection()
        #expect(throws: CodeFlowFailure.self) {
            try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now)
        }
        #expect(provider.inner.requests(to: "/jwks").map(\.timeoutMilliseconds) == [5_000], "asked with the 5 s left, and timed out")
        #expect(connection.status().jwks.lastFailureAt == nil)
        provider.durations.withLock { $0 = [:] }
        let next = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now + 1)
        #expect(next.subject == InMemoryProvider.subject, "the next sign-in fetches the key set at once")
        #expect(provider.inner.requests(to: "/jwks").count == 2)
    }

    /// Review finding: a callback out of time claimed the key-set refetch of a rotation and
    /// made none, so the next token with the new key waited out the whole interval.
    @Test func aCallbackOutOfTimeLeavesTheRotationRefetchToTheNext() throws {
        let provider = try SlowProvider(secondsPerTransfer: 0)
        let connection = provider.connection()
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now)
        let rotated = try JWSSigningKey.generate(.es256, keyID: "rotated")
        provider.inner.state.withLock { $0.published = [rotated]; $0.signer = rotated }
        provider.durations.withLock { $0 = ["/token": 15] }
        #expect {
            try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now + 1)
        } throws: { error in
            guard case CodeFlowFailure.idTokenRejected(let cause) = error else { return false }
            return cause.code == .unknownSigningKey
        }
        #expect(provider.inner.requests(to: "/jwks").count == 1, "no time was left to fetch the new key set")
        provider.durations.withLock { $0 = [:] }
        let next = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Fixture.now + 2)
        #expect(next.subject == InMemoryProvider.subject, "within the refetch interval, the refetch was still there to claim")
    }
}
