import Accounts
import Crypto
import Foundation
import HTTP
import JOSE
import Logging
import OIDC
import Store

/// The authorization-code flow, from the "sign in with..." button to the session cookie.
///
/// `authorize` stores the flow's secrets server-side and sends the browser to the provider;
/// `callback` claims the flow exactly once, exchanges the code, verifies the ID token, asks
/// userinfo, finds or creates the user, and starts a fresh session. Every refusal is a page
/// with a reason and an audit entry; no path ends in a 500 or in a half-made sign-in.
final class OIDCSignIn: Sendable {
    /// Ten minutes from the button to the callback (the issue's bound on a flow's life).
    static let flowLifetimeSeconds: Int64 = 600

    let providers: [String: ProviderConnection]
    let publicOrigin: String
    let database: Database
    let sessions: SessionManager
    let linking: AccountLinking
    let accountPageLinking: AccountPageLinking
    let flowCookie: FlowCookie
    let pages: PageRenderer
    let logger: Logger
    let clock: @Sendable () -> Int64
    // forward-auth: where `next` may point, and which claim holds the session's groups.
    let returnTarget: ReturnTarget
    let groupsClaim: String

    init(
        providers: [String: ProviderConnection], publicURL: PublicURL, database: Database, sessions: SessionManager,
        linking: AccountLinking, pages: PageRenderer, logger: Logger, clock: @escaping @Sendable () -> Int64,
        forwardAuth: ForwardAuthConfig = ForwardAuthConfig()
    ) {
        self.providers = providers
        publicOrigin = publicURL.origin
        self.database = database
        self.sessions = sessions
        self.linking = linking
        accountPageLinking = AccountPageLinking(database: database, policies: linking.policies)
        flowCookie = FlowCookie(publicURLIsHTTPS: publicURL.isHTTPS)
        self.pages = pages
        self.logger = logger
        self.clock = clock
        returnTarget = ReturnTarget(config: forwardAuth)
        groupsClaim = forwardAuth.groupsClaim
    }

    func register(in routes: inout RouterBuilder) {
        routes.get("/oidc/:provider/authorize") { [self] request in authorize(request) }
        routes.get("/oidc/:provider/callback") { [self] request in callback(request) }
        routes.post("/oidc/:provider/callback") { [self] request in callback(request) }
    }

    func redirectURI(for slug: String) -> String {
        "\(publicOrigin)/oidc/\(slug)/callback"
    }

    // MARK: - Starting

    func authorize(_ request: Request) -> Response {
        let slug = request.pathParameters["provider"] ?? ""
        return begin(slug: slug, next: returnTarget.validate(try? request.query.first("next")), intent: .signIn, request: request)
    }

    /// Stores a new flow and sends the browser to the provider. `intent` is `.link(userID:)` when
    /// the signed-in person adds an identity from the account page (the caller has checked the
    /// session and its CSRF token); the callback then links instead of signing in.
    func begin(slug: String, next: String, intent: SignInIntent, request: Request) -> Response {
        let now = clock()
        do throws(SignInFailure) {
            guard let provider = providers[slug] else { throw .unknownProvider(slug) }
            let discovery: DiscoveryDocument
            do { discovery = try provider.discovery(now: now) } catch { throw .providerUnavailable(detail: error.description) }
            let authorization: AuthorizationRequest
            let binding: SessionToken
            do {
                authorization = try AuthorizationRequest.generate()
                binding = try flowCookie.binding(for: request)
            } catch {
                throw SignInFailure.providerUnavailable(detail: "random source failed")
            }
            let location: String
            do {
                location = try authorization.url(
                    authorizationEndpoint: discovery.authorizationEndpoint, redirectURI: redirectURI(for: slug), settings: provider.settings
                )
            } catch { throw .providerUnavailable(detail: error.description) }
            let flow = NewSignInFlow(
                stateHash: Digest.sha256(Array(authorization.state.utf8)), browserHash: binding.hash,
                provider: slug, nonce: authorization.nonce, codeVerifier: authorization.pkce.verifier,
                redirectURI: redirectURI(for: slug), nextPath: next, intent: intent
            )
            do {
                try database.write { connection in
                    try SignInFlowRepository(connection).create(flow, now: now, lifetime: Self.flowLifetimeSeconds)
                }
            } catch { throw .providerUnavailable(detail: "could not store the flow: \(error)") }
            var response = Response.redirect(to: location, status: .found)
            response.headers.set("Cache-Control", "no-store")
            do {
                try response.setCookie(flowCookie.setCookie(value: binding.cookieValue, formPost: provider.settings.responseMode == .formPost))
            } catch { throw .providerUnavailable(detail: "flow cookie: \(error)") }
            logger.info("sign-in started", metadata: ["request_id": "\(request.requestID)", "provider": "\(slug)"])
            return response
        } catch {
            return refuse(error, request: request, provider: slug, userID: nil, now: now)
        }
    }

    // MARK: - Finishing

    func callback(_ request: Request) -> Response {
        let slug = request.pathParameters["provider"] ?? ""
        let now = clock()
        var userID: Int64?
        do throws(SignInFailure) {
            guard let provider = providers[slug] else { throw .unknownProvider(slug) }
            let parameters = try callbackParameters(request)
            let flow = try claimFlow(state: parameters.state, request: request, now: now)
            if case .link(let linkingUser) = flow.flow.intent { userID = linkingUser }
            guard flow.flow.provider == slug else { throw .flowProviderMismatch }

            let discovery: DiscoveryDocument
            do { discovery = try provider.discovery(now: now) } catch { throw .providerUnavailable(detail: error.description) }
            do {
                try parameters.checkIssuerParameter(
                    advertised: discovery.authorizationResponseIssParameterSupported, expectedIssuer: provider.settings.issuer
                )
            } catch { throw .issuerParameter(detail: error.description) }
            let code: String
            switch parameters.outcome {
            case .code(let value): code = value
            case .error(let error, let description):
                throw .providerError(code: String(error.prefix(64)), description: description.map { String($0.prefix(300)) })
            }

            let tokens: TokenResponse
            do {
                tokens = try provider.exchangeCode(code, codeVerifier: flow.flow.codeVerifier, redirectURI: flow.flow.redirectURI, now: now)
            } catch { throw .tokenExchange(detail: error.description) }
            let claims: IDTokenClaims
            do {
                claims = try provider.verifyIDToken(tokens.idToken, expectedNonce: flow.flow.nonce, now: now)
            } catch { throw .idTokenRejected(detail: error.description) }

            var merged = claims.all
            if provider.settings.userinfoEnabled, discovery.userinfoEndpoint != nil {
                do {
                    let userinfo = try provider.fetchUserinfo(accessToken: tokens.accessToken, idToken: claims, now: now)
                    merged = userinfo.claims
                    if let discarded = userinfo.discardedBecause {
                        audit("sign_in.userinfo_discarded", request: request, userID: nil, now: now,
                              detail: "provider=\(slug); code=\(discarded.code); the ID token's claims were used alone")
                    }
                } catch {
                    // Userinfo only adds claims; the ID token already proved who this is.
                    logger.warning("userinfo failed", metadata: ["request_id": "\(request.requestID)", "provider": "\(slug)", "error": "\(error)"])
                }
            }
            let identity: IncomingIdentity
            do {
                identity = try IncomingIdentity(
                    provider: slug, issuer: claims.issuer, subject: claims.subject, claims: ClaimMapping.claimValues(merged)
                )
            } catch { throw .idTokenRejected(detail: "incomplete identity: \(error.code.rawValue)") }
            let verified = AccountLinking.VerifiedSignIn(
                identity: identity,
                claimsJSON: String(decoding: (try? JOSE.JSONValue.object(merged).serialized()) ?? Array("{}".utf8), as: UTF8.self),
                displayName: merged["name"]?.stringValue
            )
            if case .link(let linkingUser) = flow.flow.intent {
                return try finishLink(verified, userID: linkingUser, next: flow.flow.nextPath, request: request, now: now)
            }
            let groups = SessionGroups.read(from: merged, claim: groupsClaim)  // forward-auth
            // Kept only to name this session at the provider's end_session_endpoint at sign-out.
            let idTokenForSignOut = discovery.endSessionEndpoint == nil ? nil : tokens.idToken
            return try finish(
                verified, groups: groups, idToken: idTokenForSignOut, next: flow.flow.nextPath, request: request, now: now
            )
        } catch {
            return refuse(error, request: request, provider: slug, userID: userID, now: now)
        }
    }

    /// Query parameters for GET, form fields for POST (`response_mode=form_post`).
    private func callbackParameters(_ request: Request) throws(SignInFailure) -> CallbackParameters {
        let pairs: [(String, String)]
        do {
            let source = request.method == "POST" ? try request.formBody() : try request.query
            pairs = source.pairs.map { ($0.name, $0.value) }
        } catch {
            throw .badCallback(detail: "undecodable parameters")
        }
        do { return try CallbackParameters.parse(pairs: pairs) } catch { throw .badCallback(detail: error.description) }
    }

    private func claimFlow(state: String, request: Request, now: Int64) throws(SignInFailure) -> SignInFlowRecord {
        let stateHash = Digest.sha256(Array(state.utf8))
        let browserHash = flowCookie.presentedHash(in: request)
        let result: Result<SignInFlowRecord, SignInFlowRefusal>
        do {
            result = try database.write { connection in
                try SignInFlowRepository(connection).claim(stateHash: stateHash, browserHash: browserHash, now: now)
            }
        } catch { throw .providerUnavailable(detail: "could not read the flow: \(error)") }
        switch result {
        case .success(let flow): return flow
        case .failure(.unknown): throw .flowUnknown
        case .failure(.alreadyUsed): throw .flowReplayed
        case .failure(.expired): throw .flowExpired
        case .failure(.otherBrowser): throw .flowOtherBrowser
        }
    }

    /// Decides and carries out the account link (see `AccountLinking`), starts a new session (a
    /// new id: any session the browser had before is revoked, so a planted session id is
    /// worthless after sign-in) carrying the groups forward-auth reports, and audits the
    /// success, all in ONE write transaction: a failure leaves no user without the session it
    /// was made for, and the sign-in costs one commit instead of three. A denial commits its
    /// recorded decision and is refused after.
    private func finish(
        _ verified: AccountLinking.VerifiedSignIn, groups: [String], idToken: String?, next: String, request: Request, now: Int64
    ) throws(SignInFailure) -> Response {
        let identity = verified.identity
        let outcome: Result<(userID: Int64, started: SessionManager.Started), SignInFailure>
        do {
            outcome = try database.write { connection in
                switch try linking.signIn(verified, requestID: request.requestID, now: now, in: connection) {
                case .denied(let reason):
                    return .failure(.denied(reason))
                case .signedIn(let userID, _):
                    let started = try sessions.start(
                        userID: userID, provider: identity.provider, groups: groups, idToken: idToken, request: request, now: now,
                        in: connection
                    )
                    try audit("sign_in.success", request: request, userID: userID, now: now, detail: "provider=\(identity.provider)",
                              in: connection)
                    return .success((userID, started))
                }
            }
        } catch {
            throw .providerUnavailable(detail: "could not record the sign-in: \(error)")
        }
        let (userID, started) = try outcome.get()
        logger.info("signed in", metadata: [
            "request_id": "\(request.requestID)", "provider": "\(identity.provider)", "user_id": "\(userID)",
        ])
        var response = Response.redirect(to: next, status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        do { try response.setCookie(started.cookie) } catch { throw .providerUnavailable(detail: "session cookie: \(error)") }
        return response
    }

    /// Ends an account-page link: the identity is added to the user who started the flow, and
    /// only if this browser is still signed in as that user. The session is kept as it is.
    private func finishLink(
        _ verified: AccountLinking.VerifiedSignIn, userID: Int64, next: String, request: Request, now: Int64
    ) throws(SignInFailure) -> Response {
        let session: ActiveSession?
        do { session = try sessions.current(request, now: now) } catch { throw .providerUnavailable(detail: "session lookup: \(error)") }
        guard let session, session.record.userID == userID else { throw .linkSessionEnded }
        let outcome: AccountPageLinking.Outcome
        do {
            outcome = try accountPageLinking.link(verified, to: userID, requestID: request.requestID, now: now)
        } catch { throw .providerUnavailable(detail: "could not record the link: \(error)") }
        if case .refused(let refusal) = outcome { throw .linkRefused(refusal) }
        logger.info("identity linked from the account page", metadata: [
            "request_id": "\(request.requestID)", "provider": "\(verified.identity.provider)", "user_id": "\(userID)",
        ])
        var response = Response.redirect(to: next, status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    // MARK: - Refusing

    private func refuse(_ failure: SignInFailure, request: Request, provider: String, userID: Int64?, now: Int64) -> Response {
        var detail = "provider=\(provider); reason=\(failure.reason)"
        if let more = failure.detail { detail += "; \(more)" }
        audit("sign_in.refused", request: request, userID: userID, now: now, detail: detail)
        logger.notice("sign-in refused", metadata: [
            "request_id": "\(request.requestID)", "provider": "\(provider)", "reason": "\(failure.reason)",
            "detail": "\(failure.detail ?? "")",
        ])
        return failure.page(requestID: request.requestID, pages: pages)
    }

    /// Best effort inside the caller's transaction: a failing audit insert is logged and the
    /// transaction goes on, unless SQLite ended the transaction itself (then nothing of it
    /// stands, and the error goes to the caller).
    private func audit(
        _ event: String, request: Request, userID: Int64?, now: Int64, detail: String, in connection: Connection
    ) throws {
        do {
            try AuditLogRepository(connection).append(event: event, now: now, userID: userID, requestID: request.requestID, detail: detail)
        } catch {
            guard connection.isInTransaction else { throw error }
            logAuditFailure(event, request: request, error: error)
        }
    }

    /// Best effort: a failing audit write is logged, never turned into a failed sign-in page.
    private func audit(_ event: String, request: Request, userID: Int64?, now: Int64, detail: String) {
        do {
            try database.write { connection in
                try audit(event, request: request, userID: userID, now: now, detail: detail, in: connection)
            }
        } catch {
            logAuditFailure(event, request: request, error: error)
        }
    }

    private func logAuditFailure(_ event: String, request: Request, error: any Error) {
        logger.error("audit write failed", metadata: ["request_id": "\(request.requestID)", "event": "\(event)", "error": "\(error)"])
    }
}
