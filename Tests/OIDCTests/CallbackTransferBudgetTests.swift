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
    /// A provider whose every answer takes `secondsPerTransfer` on a clock the test owns.
    final class SlowProvider: ProviderTransport {
        let inner: InMemoryProvider
        let secondsPerTransfer: UInt64
        let clock = Atomic<UInt64>(1_000_000_000)

        init(secondsPerTransfer: UInt64) throws {
            inner = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
            self.secondsPerTransfer = secondsPerTransfer
        }

        func send(_ request: ProviderRequest) throws(ProviderTransportError) -> ProviderResponse {
            clock.add(secondsPerTransfer * 1_000_000_000, ordering: .relaxed)
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
    }

    /// Userinfo only adds claims: the sign-in goes on without it.
    @Test func userinfoIsNotAskedOnceTheTimeIsSpent() throws {
        let provider = try SlowProvider(secondsPerTransfer: 6)
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
        let provider = try SlowProvider(secondsPerTransfer: 8)
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
}
