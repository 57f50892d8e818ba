import BackChannel
import JOSE
import Synchronization

/// Everything Gatehouse says to one OpenID Provider over the back channel: discovery, the
/// key set, the token endpoint and userinfo, with the caching rules of the pure state
/// machines (`DiscoveryRefreshSchedule`, `JWKSCacheState`) applied to real fetches.
///
/// Calls block the calling thread for at most the back-channel client's total timeout. The
/// lock is never held across a fetch, so one slow provider does not stall another's sign-ins.
public final class ProviderConnection: Sendable {
    public let settings: OIDCProviderSettings
    private let client: BackChannelClient
    private let plainHTTPAllowedForLoopback: Bool
    private let cache: Mutex<Cache>

    private struct Cache {
        var discovery: DiscoveryDocument?
        var schedule: DiscoveryRefreshSchedule
        var jwks: JWKSCacheState
        var discoveryFetches = FetchRecord()
        var jwksFetches = FetchRecord()
    }

    public init(settings: OIDCProviderSettings, client: BackChannelClient, plainHTTPAllowedForLoopback: Bool = true) {
        self.settings = settings
        self.client = client
        self.plainHTTPAllowedForLoopback = plainHTTPAllowedForLoopback
        cache = Mutex(Cache(
            discovery: nil, schedule: DiscoveryRefreshSchedule(settings: settings),
            jwks: JWKSCacheState(policy: JWKSCachePolicy(settings: settings))
        ))
    }

    /// A back-channel client with this provider's CA bundle and the loopback-only http rule.
    public static func makeClient(for settings: OIDCProviderSettings) throws(BackChannelError) -> BackChannelClient {
        var backChannel = BackChannelSettings()
        backChannel.extraCABundlePath = settings.caBundlePath
        backChannel.plainHTTP = .loopbackOnly
        return try BackChannelClient(settings: backChannel)
    }

    // MARK: - Discovery

    /// The provider's metadata: cached, refreshed on schedule; when a refresh fails the last
    /// good document stays in use (with backoff before the next try), so a provider's brief
    /// outage does not stop sign-ins that would otherwise work.
    public func discovery(now: Int64) throws(OIDCError) -> DiscoveryDocument {
        let (cached, due) = cache.withLock { ($0.discovery, $0.schedule.isDue(now: now)) }
        if let cached, !due { return cached }
        do throws(OIDCError) {
            let response = try fetch(BackChannelRequest(url: settings.effectiveDiscoveryURL, headers: Self.acceptJSON), what: "discovery")
            let document = try DiscoveryDocument.parse(
                response.body, expectedIssuer: settings.issuer, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback
            )
            try document.checkCompatibility(with: settings)
            cache.withLock {
                $0.discovery = document
                $0.schedule.recordSuccess(now: now)
                $0.discoveryFetches.succeeded(now: now)
            }
            return document
        } catch {
            cache.withLock {
                _ = $0.schedule.recordFailure(now: now)
                $0.discoveryFetches.failed(error, now: now)
            }
            if let cached { return cached }
            throw error
        }
    }

    /// What an operator wants to know of this connection now: when discovery and the key set
    /// were last fetched, the last failure of each, and the ids of the keys held.
    public func status() -> ProviderConnectionStatus {
        cache.withLock { cache in
            ProviderConnectionStatus(
                discovery: cache.discoveryFetches, discoveryNextRefreshAt: cache.schedule.nextRefreshAt,
                jwks: cache.jwksFetches, jwksExpiresAt: cache.jwks.expiresAt,
                keyIDs: cache.jwks.keys?.keys.map { $0.keyID ?? "" } ?? []
            )
        }
    }

    // MARK: - Keys and ID tokens

    /// Verifies an ID token with every rule of `IDTokenValidator`. A token signed by a key the
    /// cached set does not hold makes one fresh fetch of the set (key rotation at the provider),
    /// but at most once per `jwksMinimumRefetchIntervalSeconds` however many such tokens arrive.
    public func verifyIDToken(_ token: String, expectedNonce: String, now: Int64) throws(OIDCError) -> IDTokenClaims {
        let document = try discovery(now: now)
        let keys = try currentKeys(document, now: now)
        do {
            return try validate(token, keys: keys, document: document, expectedNonce: expectedNonce, now: now)
        } catch where error.code == .unknownSigningKey || error.code == .noUsableKey {
            let claimed = cache.withLock { $0.jwks.claimRefetchForUnknownKeyID(now: now) }
            guard claimed else { throw error }
            let fresh = try fetchKeys(document, now: now)
            return try validate(token, keys: fresh, document: document, expectedNonce: expectedNonce, now: now)
        }
    }

    /// Verifies a back-channel logout token with every rule of `LogoutTokenValidator`, with the
    /// same discovery, keys and single refetch on an unknown `kid` as `verifyIDToken`.
    public func verifyLogoutToken(_ token: String, now: Int64) throws(OIDCError) -> LogoutTokenClaims {
        let document = try discovery(now: now)
        let keys = try currentKeys(document, now: now)
        do {
            return try LogoutTokenValidator.validate(
                compactToken: token, keys: keys, settings: settings, advertisedAlgorithms: document.advertisedAlgorithms, now: now
            )
        } catch where error.code == .unknownSigningKey || error.code == .noUsableKey {
            let claimed = cache.withLock { $0.jwks.claimRefetchForUnknownKeyID(now: now) }
            guard claimed else { throw error }
            let fresh = try fetchKeys(document, now: now)
            return try LogoutTokenValidator.validate(
                compactToken: token, keys: fresh, settings: settings, advertisedAlgorithms: document.advertisedAlgorithms, now: now
            )
        }
    }

    private func validate(_ token: String, keys: JSONWebKeySet, document: DiscoveryDocument, expectedNonce: String, now: Int64) throws(OIDCError) -> IDTokenClaims {
        try IDTokenValidator.validate(
            compactToken: token, keys: keys, settings: settings, advertisedAlgorithms: document.advertisedAlgorithms,
            expectedNonce: expectedNonce, now: now
        )
    }

    private func currentKeys(_ document: DiscoveryDocument, now: Int64) throws(OIDCError) -> JSONWebKeySet {
        let (usable, needsRefresh) = cache.withLock { ($0.jwks.usableKeys(now: now), $0.jwks.needsRefresh(now: now)) }
        if let usable, !needsRefresh { return usable }
        do {
            return try fetchKeys(document, now: now)
        } catch {
            if let usable { return usable }
            throw error
        }
    }

    private func fetchKeys(_ document: DiscoveryDocument, now: Int64) throws(OIDCError) -> JSONWebKeySet {
        do throws(OIDCError) {
            let response = try fetch(BackChannelRequest(url: document.jwksURI.text, headers: Self.acceptJSON), what: "JWKS")
            let keys: JSONWebKeySet
            do {
                keys = try JSONWebKeySet(json: response.body)
            } catch {
                throw OIDCError.make(.malformedJWKS, "the provider's key set is not a valid JWKS: \(error.message)")
            }
            let cacheControl = CacheControl.parse(response.headers.filter { $0.name == "cache-control" }.map(\.value))
            cache.withLock {
                $0.jwks.recordFetch(keys: keys, cacheControl: cacheControl, now: now)
                $0.jwksFetches.succeeded(now: now)
            }
            return keys
        } catch {
            cache.withLock {
                $0.jwks.recordFetchFailure(now: now)
                $0.jwksFetches.failed(error, now: now)
            }
            throw error
        }
    }

    // MARK: - Token endpoint

    /// Exchanges an authorization code (with its PKCE verifier) at the token endpoint.
    public func exchangeCode(_ code: String, codeVerifier: String, redirectURI: String, now: Int64) throws(OIDCError) -> TokenResponse {
        let document = try discovery(now: now)
        let tokenRequest = TokenRequest(code: code, redirectURI: redirectURI, codeVerifier: codeVerifier, settings: settings)
        var headers = Self.acceptJSON + [BackChannelHeader(name: "Content-Type", value: TokenRequest.contentType)]
        if let authorization = tokenRequest.authorizationHeader {
            headers.append(BackChannelHeader(name: "Authorization", value: authorization))
        }
        let response = try send(
            BackChannelRequest(method: .post, url: document.tokenEndpoint.text, headers: headers, body: Array(tokenRequest.body.utf8)),
            what: "token endpoint"
        )
        guard response.status == 200 else {
            if let refusal = try? TokenErrorResponse.parse(response.body) {
                let said = refusal.errorDescription.map { ": \($0.prefix(300))" } ?? ""
                throw OIDCError.make(.tokenRequestRefused, "the token endpoint refused the code (HTTP \(response.status), \(refusal.error.prefix(64))\(said))")
            }
            throw OIDCError.make(.unexpectedResponse, "the token endpoint answered HTTP \(response.status)")
        }
        return try TokenResponse.parse(response.body)
    }

    // MARK: - Userinfo

    /// Fetches userinfo with the access token and merges it under the ID token's claims. A
    /// response about another subject is discarded (`discardedBecause` says so).
    public func fetchUserinfo(accessToken: String, idToken: IDTokenClaims, now: Int64) throws(OIDCError) -> UserinfoResult {
        let document = try discovery(now: now)
        guard let endpoint = document.userinfoEndpoint else {
            throw OIDCError.make(.unexpectedResponse, "the provider has no userinfo endpoint")
        }
        let headers = Self.acceptJSON + [BackChannelHeader(name: "Authorization", value: "Bearer \(accessToken)")]
        let response = try send(BackChannelRequest(url: endpoint.text, headers: headers), what: "userinfo")
        guard response.status == 200 else {
            throw OIDCError.make(.unexpectedResponse, "the userinfo endpoint answered HTTP \(response.status)")
        }
        return UserinfoResult.merge(idToken: idToken, userinfoBytes: response.body)
    }

    // MARK: - Transport

    private static let acceptJSON = [BackChannelHeader(name: "Accept", value: "application/json")]

    /// A GET that must answer 200.
    private func fetch(_ request: BackChannelRequest, what: String) throws(OIDCError) -> BackChannelResponse {
        let response = try send(request, what: what)
        guard response.status == 200 else {
            throw OIDCError.make(.unexpectedResponse, "the provider's \(what) answered HTTP \(response.status)")
        }
        return response
    }

    private func send(_ request: BackChannelRequest, what: String) throws(OIDCError) -> BackChannelResponse {
        do {
            return try client.send(request)
        } catch {
            // The detail names the failure and the host, never a body or a header value.
            throw OIDCError.make(.transportFailed, "the provider's \(what) could not be reached: \(error.code) (\(error.detail))")
        }
    }
}

/// A snapshot of one provider connection's caches, for the admin API.
public struct ProviderConnectionStatus: Sendable, Equatable {
    public let discovery: FetchRecord
    public let discoveryNextRefreshAt: Int64?
    public let jwks: FetchRecord
    public let jwksExpiresAt: Int64?
    /// The `kid` of each key held (empty for a key without one), in the set's order.
    public let keyIDs: [String]
}

/// The outcome of the fetches of one document (discovery, or the key set).
public struct FetchRecord: Sendable, Equatable {
    public private(set) var lastSuccessAt: Int64?
    public private(set) var lastFailureAt: Int64?
    /// The last failure's code and message (what the logs say; never a token or secret).
    public private(set) var lastError: String?

    mutating func succeeded(now: Int64) {
        lastSuccessAt = now
    }

    mutating func failed(_ error: OIDCError, now: Int64) {
        lastFailureAt = now
        lastError = "\(error.code): \(error.message)"
    }
}
