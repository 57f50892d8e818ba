import Dispatch
import JOSE
import Synchronization

/// Everything Gatehouse says to one OpenID Provider over the back channel: discovery, the
/// key set, the token endpoint and userinfo, with the caching rules of the pure state
/// machines (`DiscoveryRefreshSchedule`, `JWKSCacheState`) applied to real fetches, and the
/// completion of a code flow's callback as one call (`completeCallback`).
///
/// Calls block the calling thread for at most the transport's total timeout. The lock is
/// never held across a fetch, so one slow provider does not stall another's sign-ins.
public final class ProviderConnection: Sendable {
    public let settings: OIDCProviderSettings
    private let transport: any ProviderTransport
    private let plainHTTPAllowedForLoopback: Bool
    private let cache: Mutex<Cache>
    /// GitHub's document, written once from its endpoints (it publishes none to fetch).
    private let gitHubDocument: Result<DiscoveryDocument, OIDCError>?
    /// Monotonic nanoseconds, for a callback's `TransferBudget`.
    private let monotonicClock: @Sendable () -> UInt64

    private struct Cache {
        var discovery: DiscoveryDocument?
        var schedule: DiscoveryRefreshSchedule
        var jwks: JWKSCacheState
        var discoveryFetches = FetchRecord()
        var jwksFetches = FetchRecord()
    }

    /// The time all of one callback's transfers to the provider share (`TransferBudget`): more
    /// than one transfer's own limit (10 s), so one slow answer still completes a sign-in.
    public static let callbackTransferSeconds = 15

    public init(
        settings: OIDCProviderSettings, transport: any ProviderTransport, plainHTTPAllowedForLoopback: Bool = true,
        monotonicClock: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    ) {
        self.settings = settings
        self.monotonicClock = monotonicClock
        self.transport = transport
        self.plainHTTPAllowedForLoopback = plainHTTPAllowedForLoopback
        gitHubDocument = settings.quirks.gitHub.map { endpoints in
            Result { () throws(OIDCError) in try DiscoveryDocument.gitHub(endpoints, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback) }
        }
        cache = Mutex(Cache(
            discovery: nil, schedule: DiscoveryRefreshSchedule(settings: settings),
            jwks: JWKSCacheState(policy: JWKSCachePolicy(settings: settings))
        ))
    }

    /// With nothing fetched before at hand, a failed fetch is answered with its failure for at
    /// most this long, however far its backoff has grown: a flood of requests makes no fetch
    /// each, and sign-ins work again within this long of the provider's return.
    static let uncachedRetrySeconds: Int64 = 30

    /// The failure a caller with nothing at hand answers with instead of fetching: the last
    /// one, if no fetch succeeded since and it is under `uncachedRetrySeconds` old.
    private static func standingFailure(of fetches: FetchRecord, now: Int64) -> OIDCError? {
        guard let failure = fetches.failureSinceSuccess, let failedAt = fetches.lastFailureAt,
              now >= failedAt, now - failedAt < uncachedRetrySeconds
        else { return nil }
        return failure
    }

    // MARK: - Discovery

    /// The provider's metadata: cached, refreshed on schedule; when a refresh fails the last
    /// good document stays in use (with backoff before the next try), so a provider's brief
    /// outage does not stop sign-ins that would otherwise work. With no document yet, a fetch
    /// that failed is not tried again before its backoff ends (or `uncachedRetrySeconds`, if
    /// sooner): its failure is the answer, so a flood of anonymous sign-in starts cannot make a
    /// fetch each.
    public func discovery(now: Int64) throws(OIDCError) -> DiscoveryDocument {
        try discovery(now: now, budget: .unbounded)
    }

    private func discovery(now: Int64, budget: TransferBudget) throws(OIDCError) -> DiscoveryDocument {
        if let gitHubDocument { return try gitHubDocument.get() }
        let (cached, due, fetches) = cache.withLock { ($0.discovery, $0.schedule.isDue(now: now), $0.discoveryFetches) }
        if !due {
            if let cached { return cached }
            if let failure = Self.standingFailure(of: fetches, now: now) { throw failure }
        }
        do throws(OIDCError) {
            let response = try fetch(ProviderRequest(url: settings.effectiveDiscoveryURL, headers: Self.acceptJSON), what: "discovery", budget: budget)
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
            // Asked too late, or cut short, by the callback's time: no failure of the provider's.
            guard !budget.isSpent else { throw error }
            cache.withLock {
                _ = $0.schedule.recordFailure(now: now)
                $0.discoveryFetches.failed(error, now: now)
            }
            if let cached { return cached }
            throw error
        }
    }

    /// The provider's metadata when it is at hand and not due for a refresh, else nil: for a
    /// caller that must not wait for the network (see `discovery(now:)`, which fetches).
    public func discoveryAtHand(now: Int64) -> DiscoveryDocument? {
        if let gitHubDocument { return try? gitHubDocument.get() }
        return cache.withLock { $0.schedule.isDue(now: now) ? nil : $0.discovery }
    }

    /// The last document fetched, even past its refresh, and never a fetch: for what would
    /// rather use an endpoint a day old than wait on the network on a thread others need (the
    /// account page's form targets and sign-out's end-session endpoint, on the store executor).
    /// `serve` fetches every provider's document at start, so it is there unless the provider
    /// has never answered.
    public func lastKnownDiscovery() -> DiscoveryDocument? {
        if let gitHubDocument { return try? gitHubDocument.get() }
        return cache.withLock { $0.discovery }
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

    /// The client authentication this provider gets (`ClientAuthentication.method`), by its
    /// current discovery document.
    public func clientAuthenticationMethod(now: Int64) throws(OIDCError) -> TokenEndpointAuthMethod {
        try ClientAuthentication.method(for: settings, advertised: try discovery(now: now).tokenEndpointAuthMethodsSupported)
    }

    // MARK: - The callback

    /// Finishes a code flow's callback: the `iss` parameter, the code exchange, the ID token
    /// (signature, claims, nonce) and userinfo, all against one reading of discovery. Returns
    /// the verified identity, or says which step refused it. Its transfers share
    /// `callbackTransferSeconds`.
    public func completeCallback(
        _ parameters: CallbackParameters, pending: PendingAuthorization, now: Int64
    ) throws(CodeFlowFailure) -> CompletedAuthorization {
        let budget = TransferBudget(seconds: Self.callbackTransferSeconds, clock: monotonicClock)
        let document: DiscoveryDocument
        do { document = try discovery(now: now, budget: budget) } catch { throw .providerUnavailable(error) }
        do {
            try parameters.checkIssuerParameter(
                advertised: document.authorizationResponseIssParameterSupported, expectedIssuer: settings.issuer
            )
        } catch { throw .issuerParameter(error) }
        let code: String
        switch parameters.outcome {
        case .code(let value): code = value
        case .error(let error, let description):
            throw .providerError(code: String(error.prefix(64)), description: description.map { String($0.prefix(300)) })
        }
        let tokens: TokenResponse
        do {
            tokens = try exchangeCode(code, pending: pending, document: document, now: now, budget: budget)
        } catch { throw .tokenExchange(error) }
        if let gitHub = settings.quirks.gitHub {
            return try completeWithGitHub(gitHub, accessToken: tokens.accessToken, budget: budget)
        }
        guard let compactIDToken = tokens.idToken else {
            throw .tokenExchange(.make(.malformedTokenResponse, "token response has no id_token"))
        }
        let idToken: IDTokenClaims
        do {
            idToken = try verifyIDToken(compactIDToken, expectedNonce: pending.nonce, document: document, now: now, budget: budget)
        } catch { throw .idTokenRejected(error) }

        var claims = idToken.all
        var userinfo = UserinfoOutcome.notAsked
        if settings.userinfoEnabled, let endpoint = document.userinfoEndpoint {
            do {
                let result = try fetchUserinfo(accessToken: tokens.accessToken, idToken: idToken, endpoint: endpoint, budget: budget)
                claims = result.claims
                userinfo = result.discardedBecause.map { .discarded($0) } ?? .merged
            } catch {
                userinfo = .failed(error)
            }
        }
        let subject: String
        do { subject = try settings.quirks.subject.subject(of: idToken) } catch { throw .idTokenRejected(error) }
        return CompletedAuthorization(
            issuer: idToken.issuer, subject: subject, idToken: idToken,
            upstreamIdP: settings.quirks.upstreamIdPClaim.flatMap { claims[$0]?.stringValue }.map { String($0.prefix(512)) },
            claims: claims, userinfo: userinfo,
            idTokenForSignOut: document.endSessionEndpoint == nil ? nil : compactIDToken
        )
    }

    /// GitHub has no ID token: who signed in is what its API says to the access token.
    private func completeWithGitHub(
        _ endpoints: GitHubEndpoints, accessToken: String, budget: TransferBudget
    ) throws(CodeFlowFailure) -> CompletedAuthorization {
        let claims: [String: JSONValue]
        do {
            claims = try GitHubAccount.claims(accessToken: accessToken, endpoints: endpoints) { (request) throws(OIDCError) in
                try send(request, what: "API", budget: budget)
            }
        } catch { throw .accountUnavailable(error) }
        guard case .string(let subject)? = claims["sub"] else {
            throw .accountUnavailable(.make(.accountUnavailable, "GitHub named no account"))
        }
        return CompletedAuthorization(
            issuer: endpoints.web, subject: subject, idToken: nil, upstreamIdP: nil, claims: claims, userinfo: .merged, idTokenForSignOut: nil
        )
    }

    // MARK: - Keys and ID tokens

    /// Verifies an ID token with every rule of `IDTokenValidator`.
    func verifyIDToken(
        _ token: String, expectedNonce: String, document: DiscoveryDocument, now: Int64, budget: TransferBudget = .unbounded
    ) throws(OIDCError) -> IDTokenClaims {
        try withSigningKeys(document, now: now, budget: budget) { (keys) throws(OIDCError) in
            try IDTokenValidator.validate(
                compactToken: token, keys: keys, settings: settings, advertisedAlgorithms: document.advertisedAlgorithms,
                expectedNonce: expectedNonce, now: now
            )
        }
    }

    /// Verifies a back-channel logout token with every rule of `LogoutTokenValidator`, with the
    /// same discovery and keys as an ID token.
    public func verifyLogoutToken(_ token: String, now: Int64) throws(OIDCError) -> LogoutTokenClaims {
        let document = try discovery(now: now)
        return try withSigningKeys(document, now: now) { (keys) throws(OIDCError) in
            try LogoutTokenValidator.validate(
                compactToken: token, keys: keys, settings: settings, advertisedAlgorithms: document.advertisedAlgorithms, now: now
            )
        }
    }

    /// Runs `validate` with the provider's current keys. A token signed by a key the cached set
    /// does not hold makes one fresh fetch of the set (key rotation at the provider), at most
    /// once per `jwksMinimumRefetchIntervalSeconds` however many such tokens arrive, and is
    /// validated again with what came back.
    private func withSigningKeys<T>(
        _ document: DiscoveryDocument, now: Int64, budget: TransferBudget = .unbounded, _ validate: (JSONWebKeySet) throws(OIDCError) -> T
    ) throws(OIDCError) -> T {
        let keys = try currentKeys(document, now: now, budget: budget)
        do {
            return try validate(keys)
        } catch where error.code == .unknownSigningKey || error.code == .noUsableKey {
            // A callback out of time claims no refetch (the claim would hold back the next
            // token's for the whole interval without a fetch made), and says why it failed.
            guard !budget.isSpent else { throw error }
            let claimed = cache.withLock { $0.jwks.claimRefetchForUnknownKeyID(now: now) }
            guard claimed else { throw error }
            return try validate(try fetchKeys(document, now: now, budget: budget))
        }
    }

    private func currentKeys(_ document: DiscoveryDocument, now: Int64, budget: TransferBudget) throws(OIDCError) -> JSONWebKeySet {
        guard document.jwksURI != nil else { throw .make(.noUsableKey, "the provider publishes no key set") }
        let (usable, needsRefresh, fetches) = cache.withLock { ($0.jwks.usableKeys(now: now), $0.jwks.needsRefresh(now: now), $0.jwksFetches) }
        if !needsRefresh {
            if let usable { return usable }
            // No usable keys and a failed fetch's backoff running: its failure, not another fetch.
            if let failure = Self.standingFailure(of: fetches, now: now) { throw failure }
        }
        do {
            return try fetchKeys(document, now: now, budget: budget)
        } catch {
            if let usable { return usable }
            throw error
        }
    }

    private func fetchKeys(_ document: DiscoveryDocument, now: Int64, budget: TransferBudget) throws(OIDCError) -> JSONWebKeySet {
        do throws(OIDCError) {
            guard let jwksURI = document.jwksURI else { throw OIDCError.make(.noUsableKey, "the provider publishes no key set") }
            let response = try fetch(ProviderRequest(url: jwksURI.text, headers: Self.acceptJSON), what: "JWKS", budget: budget)
            let keys: JSONWebKeySet
            do {
                keys = try JSONWebKeySet(json: response.body)
            } catch {
                throw OIDCError.make(.malformedJWKS, "the provider's key set is not a valid JWKS: \(error.message)")
            }
            let cacheControl = CacheControl.parse(response.values(of: "cache-control"))
            cache.withLock {
                $0.jwks.recordFetch(keys: keys, cacheControl: cacheControl, now: now)
                $0.jwksFetches.succeeded(now: now)
            }
            return keys
        } catch {
            // Asked too late, or cut short, by the callback's time: no failure of the provider's,
            // so no backoff holds back other sign-ins' fetches.
            guard !budget.isSpent else { throw error }
            cache.withLock {
                $0.jwks.recordFetchFailure(now: now)
                $0.jwksFetches.failed(error, now: now)
            }
            throw error
        }
    }

    // MARK: - Token endpoint

    /// Exchanges an authorization code (with its PKCE verifier) at the token endpoint,
    /// authenticated as `ClientAuthentication.method` chooses.
    func exchangeCode(
        _ code: String, pending: PendingAuthorization, document: DiscoveryDocument, now: Int64, budget: TransferBudget = .unbounded
    ) throws(OIDCError) -> TokenResponse {
        let method = try ClientAuthentication.method(for: settings, advertised: document.tokenEndpointAuthMethodsSupported)
        let credentials = try ClientAuthentication.credentials(method, settings: settings, tokenEndpoint: document.tokenEndpoint.text, now: now)
        let tokenRequest = TokenRequest(
            code: code, redirectURI: pending.redirectURI, codeVerifier: pending.codeVerifier, clientID: settings.clientID, credentials: credentials
        )
        var headers = Self.acceptJSON + [ProviderHeader(name: "Content-Type", value: TokenRequest.contentType)]
        if let authorization = tokenRequest.authorizationHeader {
            headers.append(ProviderHeader(name: "Authorization", value: authorization))
        }
        let response = try send(
            ProviderRequest(method: .post, url: document.tokenEndpoint.text, headers: headers, body: Array(tokenRequest.body.utf8)),
            what: "token endpoint", budget: budget
        )
        // GitHub answers a refused code with 200 and an error object: an `error` member is a
        // refusal whatever the status. Only a listed error code is named, for the provider's own
        // text may echo a credential (`TokenErrorResponse.recordableError`).
        if let refusal = try? TokenErrorResponse.parse(response.body) {
            throw OIDCError.make(.tokenRequestRefused, "the token endpoint refused the code (HTTP \(response.status), \(refusal.recordableError))")
        }
        guard response.status == 200 else {
            throw OIDCError.make(.unexpectedResponse, "the token endpoint answered HTTP \(response.status)")
        }
        return try TokenResponse.parse(response.body, requireIDToken: settings.quirks.gitHub == nil)
    }

    // MARK: - Userinfo

    /// Fetches userinfo with the access token and merges it under the ID token's claims. A
    /// response about another subject is discarded (`discardedBecause` says so).
    func fetchUserinfo(
        accessToken: String, idToken: IDTokenClaims, endpoint: EndpointURL, budget: TransferBudget = .unbounded
    ) throws(OIDCError) -> UserinfoResult {
        let headers = Self.acceptJSON + [ProviderHeader(name: "Authorization", value: "Bearer \(accessToken)")]
        let response = try send(ProviderRequest(url: endpoint.text, headers: headers), what: "userinfo", budget: budget)
        guard response.status == 200 else {
            throw OIDCError.make(.unexpectedResponse, "the userinfo endpoint answered HTTP \(response.status)")
        }
        return UserinfoResult.merge(idToken: idToken, userinfoBytes: response.body)
    }

    // MARK: - Transport

    private static let acceptJSON = [ProviderHeader(name: "Accept", value: "application/json")]

    /// A GET that must answer 200.
    private func fetch(_ request: ProviderRequest, what: String, budget: TransferBudget) throws(OIDCError) -> ProviderResponse {
        let response = try send(request, what: what, budget: budget)
        guard response.status == 200 else {
            throw OIDCError.make(.unexpectedResponse, "the provider's \(what) answered HTTP \(response.status)")
        }
        return response
    }

    /// Every transfer goes out here, limited to what is left of `budget` (a callback's time);
    /// none is made once it is spent.
    private func send(_ request: ProviderRequest, what: String, budget: TransferBudget) throws(OIDCError) -> ProviderResponse {
        var request = request
        request.timeoutMilliseconds = try budget.limitMilliseconds(for: what)
        do {
            return try transport.send(request)
        } catch {
            // The detail names the failure and the host, never a body or a header value.
            throw OIDCError.make(.transportFailed, "the provider's \(what) could not be reached: \(error.kind) (\(error.detail))")
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
    /// The last failure, until a fetch succeeds again.
    public private(set) var failureSinceSuccess: OIDCError?

    mutating func succeeded(now: Int64) {
        lastSuccessAt = now
        failureSinceSuccess = nil
    }

    mutating func failed(_ error: OIDCError, now: Int64) {
        lastFailureAt = now
        lastError = "\(error.code): \(error.message)"
        failureSinceSuccess = error
    }
}
