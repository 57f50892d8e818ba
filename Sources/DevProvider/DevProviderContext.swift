import HTTP
import Logging

/// What every endpoint shares: the registered client, the keys, the in-memory stores, the
/// clock and the issuer. Immutable apart from the stores and key ring, which lock themselves.
struct DevProviderContext: Sendable {
    let client: DevClient
    let keys: DevSigningKeys
    let codes = AuthorizationCodeStore()
    let tokens = AccessTokenStore()
    let assertionIDs = ClientAssertionReplayCache()
    let sessions = DevSessions()
    let issuerCell: IssuerCell
    let pages: DevPages
    /// Seconds since 1970; injected so tests can move time (code expiry) without sleeping.
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// How long the token endpoint waits before answering (`--token-delay`).
    let tokenDelaySeconds: Double
    /// `DevProviderOptions.beforeTokenResponse`.
    let beforeTokenResponse: (@Sendable () -> Void)?
    /// `DevProviderOptions.authTimeReport`.
    let authTimeReport: AuthTimeReport
    /// The token endpoint runs here, so a delayed (hanging) answer holds none of Dispatch's
    /// shared threads: many relying-party requests can hang at once, as at a real provider.
    let tokenExecutor = BoundedExecutor(name: "dev-token", threads: 256, queueLimit: 256, idleSeconds: 5)

    /// The issuer, or 503 in the instant between binding a port-0 socket and learning its port.
    func issuer() throws(HTTPError) -> DevIssuer {
        guard let issuer = issuerCell.issuer else { throw HTTPError.serviceUnavailable(retryAfter: 1) }
        return issuer
    }
}
