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
/// userinfo, and hands the verified identity to `SignInCompletion` (a sign-in) or to the
/// account-page link (both decided by the linking engine). Every refusal is a page with a
/// reason and an audit entry; no path ends in a 500 or in a half-made sign-in.
///
/// A `form_post` callback arrives as a cross-site POST without the browser's SameSite=Lax
/// cookies; it is answered with a 303 to a same-origin GET carrying a single-use reference to
/// the posted response (`continue=`), and the flow finishes there, with the cookies.
final class OIDCSignIn: Sendable {
    /// Ten minutes from the button to the callback (the issue's bound on a flow's life).
    static let flowLifetimeSeconds: Int64 = 600

    let providers: [String: ProviderConnection]
    let publicOrigin: String
    let database: Database
    let sessions: SessionManager
    let linking: AccountLinking
    let completion: SignInCompletion
    let flowCookie: FlowCookie
    let pages: PageRenderer
    let audit: AuditRecorder
    let logger: Logger
    let clock: @Sendable () -> Int64
    // forward-auth: where `next` may point, and which claim holds the session's groups.
    let returnTarget: ReturnTarget
    let groupsClaim: String
    /// Groups forward-auth requires, kept first (`SessionGroups.kept`).
    let requiredGroups: Set<String>
    /// `database.max_pending_sign_in_flows`: past this many stored flows a start makes room
    /// (`SignInFlowRepository.create`).
    let flowCapacity: Int64
    /// Flows evicted, or starts refused, for a full flow table are one warning a minute, not one each.
    private let flowCapacityLog = RepeatedLogLine()
    /// `database.max_sign_in_starts_per_client`: one client's share of the starts, and of the
    /// refused callbacks (a budget of the same size, apart, so that a sign-in that used the
    /// last start still finishes).
    let startBudget: PerClientBudget
    let refusedCallbackBudget: PerClientBudget

    init(
        providers: [String: ProviderConnection], publicURL: PublicURL, database: Database, sessions: SessionManager,
        linking: AccountLinking, completion: SignInCompletion, pages: PageRenderer, logger: Logger,
        clock: @escaping @Sendable () -> Int64,
        forwardAuth: ForwardAuthConfig = ForwardAuthConfig(), maxPendingFlows: Int = DatabaseConfig().maxPendingSignInFlows,
        maxStartsPerClient: Int = DatabaseConfig().maxSignInStartsPerClient
    ) {
        self.providers = providers
        publicOrigin = publicURL.origin
        self.database = database
        self.sessions = sessions
        self.linking = linking
        self.completion = completion
        flowCookie = FlowCookie(publicURLIsHTTPS: publicURL.isHTTPS)
        self.pages = pages
        audit = AuditRecorder(database: database, logger: logger)
        self.logger = logger
        self.clock = clock
        returnTarget = ReturnTarget(config: forwardAuth)
        groupsClaim = forwardAuth.groupsClaim
        requiredGroups = forwardAuth.requiredGroups
        flowCapacity = Int64(maxPendingFlows)
        startBudget = PerClientBudget(capacity: maxStartsPerClient, lifetimeSeconds: Self.flowLifetimeSeconds)
        refusedCallbackBudget = PerClientBudget(capacity: maxStartsPerClient, lifetimeSeconds: Self.flowLifetimeSeconds)
    }

    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice) {
        routes.get("/oidc/:provider/authorize", on: executor, tryingInline: { [self] request in authorizeWithoutWaiting(request) }) {
            [self] request in authorize(request)
        }
        routes.get("/oidc/:provider/callback", on: executor, tryingInline: { [self] request in refuseSpentClient(request) }) {
            [self] request in callback(request)
        }
        routes.post("/oidc/:provider/callback", on: executor, tryingInline: { [self] request in refuseSpentClient(request) }) {
            [self] request in holdPostedCallback(request)
        }
    }

    func redirectURI(for slug: String) -> String {
        "\(publicOrigin)/oidc/\(slug)/callback"
    }

    // MARK: - Starting

    func authorize(_ request: Request) -> Response {
        let slug = request.pathParameters["provider"] ?? ""
        return begin(
            slug: slug, next: returnTarget.validate(try? request.query.first("next")), intent: .signIn,
            reauthenticate: Self.asksReauthentication(request), request: request
        )
    }

    /// The start parameter (`reauthenticate=1`) of the account page's "Sign in again": the
    /// provider is asked for a fresh sign-in (`prompt=login`) and to say when it happened
    /// (`max_age`, which makes `auth_time` required), so the new session can meet the page's
    /// rule for a recent sign-in. The rule reads `auth_time` itself: a provider that ignores
    /// the request only gets a session that does not count as recent.
    static let reauthenticateParameter = "reauthenticate"

    private static func asksReauthentication(_ request: Request) -> Bool {
        (try? request.query.first(reauthenticateParameter)) == "1"
    }

    /// `settings` for a start that asks for a fresh sign-in, or as configured.
    private static func authorizationSettings(_ settings: OIDCProviderSettings, reauthenticate: Bool) -> OIDCProviderSettings {
        guard reauthenticate else { return settings }
        var asked = settings
        asked.prompt = "login"
        asked.maxAge = min(settings.maxAge ?? Int(AccountPage.recentSignInSeconds), Int(AccountPage.recentSignInSeconds))
        return asked
    }

    /// `authorize` on the event loop, when it needs no wait: the provider's metadata is at hand
    /// and the database writer is free. Nil otherwise, and for any refusal but a full flow table
    /// or a client past its share of starts (an audit entry is a write): the route's executor
    /// then runs `authorize`, which may wait. Most sign-ins start here, spared the hop to the
    /// executor and back; a flood of starts is refused here too, without reaching its queue.
    func authorizeWithoutWaiting(_ request: Request) -> Response? {
        let slug = request.pathParameters["provider"] ?? ""
        let now = clock()
        guard let provider = providers[slug], let discovery = provider.discoveryAtHand(now: now) else { return nil }
        if let wait = startBudget.take(clientAddress: request.clientAddress, now: now) {
            return refuse(.tooManyStarts(retryAfterSeconds: wait), request: request, provider: slug, userID: nil, now: now)
        }
        guard let started = try? prepare(
                  provider, slug: slug, discovery: discovery, next: returnTarget.validate(try? request.query.first("next")),
                  intent: .signIn, reauthenticate: Self.asksReauthentication(request), request: request
              ),
              let stored = try? database.writeIfIdle({ try started.store($0, now) })
        else {
            // The executor's `authorize` takes this start again.
            startBudget.giveBack(clientAddress: request.clientAddress)
            return nil
        }
        guard noteFlowCapacity(stored: stored, request: request) else {
            return refuse(.tooManyPending, request: request, provider: slug, userID: nil, now: now)
        }
        return try? started.redirect(request)
    }

    /// Stores a new flow and sends the browser to the provider. `intent` is `.link(userID:)` when
    /// the signed-in person adds an identity from the account page (the caller has checked the
    /// session and its CSRF token); the callback then links instead of signing in.
    func begin(slug: String, next: String, intent: SignInIntent, reauthenticate: Bool = false, request: Request) -> Response {
        let now = clock()
        do throws(SignInFailure) {
            guard let provider = providers[slug] else { throw .unknownProvider(slug) }
            if let wait = startBudget.take(clientAddress: request.clientAddress, now: now) { throw .tooManyStarts(retryAfterSeconds: wait) }
            let discovery: DiscoveryDocument
            do { discovery = try provider.discovery(now: now) } catch { throw .providerUnavailable(detail: error.description) }
            let started = try prepare(
                provider, slug: slug, discovery: discovery, next: next, intent: intent, reauthenticate: reauthenticate, request: request
            )
            let stored: FlowStorage
            do {
                stored = try database.write { try started.store($0, now) }
            } catch { throw .storeUnavailable("could not store the flow", error) }
            guard noteFlowCapacity(stored: stored, request: request) else { throw .tooManyPending }
            return try started.redirect(request)
        } catch {
            return refuse(error, request: request, provider: slug, userID: nil, now: now)
        }
    }

    /// A callback from a client that has spent its share of refused callbacks is refused here on
    /// the event loop, writing nothing; nil sends it on to the executor. A callback refused
    /// there takes from the share (`refuseCallback`).
    func refuseSpentClient(_ request: Request) -> Response? {
        let now = clock()
        guard let wait = refusedCallbackBudget.wait(clientAddress: request.clientAddress, now: now) else { return nil }
        return refuse(.tooManyRefusedCallbacks(retryAfterSeconds: wait), request: request, provider: request.pathParameters["provider"] ?? "", userID: nil, now: now)
    }

    /// Whether the flow was stored, logging a full flow table (flows evicted to make room, or a
    /// start refused) at most once a minute: a flood of starts (many clients, each within its
    /// share) is not a line each, and an operator learns that flows are being cut short.
    private func noteFlowCapacity(stored: FlowStorage, request: Request) -> Bool {
        guard stored != .stored, let heldBack = flowCapacityLog.admit() else { return stored != .full }
        let what = stored == .full ? "sign-in starts refused" : "oldest sign-in flows evicted to store new ones"
        logger.warning("\(what): the stored flows reached database.max_pending_sign_in_flows", metadata: [
            "request_id": "\(request.requestID)", "max_pending_sign_in_flows": "\(flowCapacity)",
            "unlogged_since_last": "\(heldBack)",
        ])
        return stored != .full
    }

    /// A flow made and not yet stored: `store` writes it (`.full`, and nothing written, when
    /// the flow table is over capacity), `redirect` sends the browser on.
    private struct StartedFlow {
        let store: (Connection, Int64) throws -> FlowStorage
        let redirect: (Request) throws(SignInFailure) -> Response
    }

    /// The flow's secrets, its row, and the redirect to the provider with the browser-binding cookie.
    private func prepare(
        _ provider: ProviderConnection, slug: String, discovery: DiscoveryDocument, next: String, intent: SignInIntent,
        reauthenticate: Bool, request: Request
    ) throws(SignInFailure) -> StartedFlow {
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
                authorizationEndpoint: discovery.authorizationEndpoint, redirectURI: redirectURI(for: slug),
                settings: Self.authorizationSettings(provider.settings, reauthenticate: reauthenticate)
            )
        } catch { throw .providerUnavailable(detail: error.description) }
        let flow = NewSignInFlow(
            stateHash: Digest.sha256(Array(authorization.state.utf8)), browserHash: binding.hash,
            provider: slug, nonce: authorization.nonce, codeVerifier: authorization.pkce.verifier,
            redirectURI: redirectURI(for: slug), nextPath: next, intent: intent, clientBlock: ClientBlock.siteKey(for: request.clientAddress)
        )
        return StartedFlow(
            store: { [flowCapacity] connection, now in
                try SignInFlowRepository(connection).create(flow, now: now, lifetime: Self.flowLifetimeSeconds, capacity: flowCapacity)
            },
            redirect: { [self] request throws(SignInFailure) in
                var response = Response.redirect(to: location, status: .found)
                response.headers.set("Cache-Control", "no-store")
                do {
                    try response.setCookie(flowCookie.setCookie(value: binding.cookieValue))
                } catch { throw .providerUnavailable(detail: "flow cookie: \(error)") }
                logger.info("sign-in started", metadata: ["request_id": "\(request.requestID)", "provider": "\(slug)"])
                return response
            }
        )
    }

    // MARK: - Finishing

    /// The callback's GET: the provider's redirect (`code`, `state`, `iss` in the query), or the
    /// continuation of a `form_post` response (`continue=<reference>`).
    func callback(_ request: Request) -> Response {
        let slug = request.pathParameters["provider"] ?? ""
        let now = clock()
        var userID: Int64?
        do throws(SignInFailure) {
            guard let provider = providers[slug] else { throw .unknownProvider(slug) }
            let (parameters, flow) = try claimCallback(request, now: now)
            if case .link(let linkingUser) = flow.flow.intent { userID = linkingUser }
            guard flow.flow.provider == slug else { throw .flowProviderMismatch }

            let pending = PendingAuthorization(nonce: flow.flow.nonce, codeVerifier: flow.flow.codeVerifier, redirectURI: flow.flow.redirectURI)
            let completed: CompletedAuthorization
            do {
                completed = try provider.completeCallback(parameters, pending: pending, now: now)
            } catch { throw SignInFailure(error) }
            let merged = completed.claims
            switch completed.userinfo {
            case .notAsked, .merged: break
            case .discarded(let why):
                audit.record(.userinfoDiscarded, requestID: request.requestID, now: now,
                             detail: "provider=\(slug); code=\(why.code); the ID token's claims were used alone", provider: slug)
            case .failed(let why):
                // Userinfo only adds claims; the ID token already proved who this is.
                logger.warning("userinfo failed", metadata: ["request_id": "\(request.requestID)", "provider": "\(slug)", "error": "\(why)"])
            }
            let identity: IncomingIdentity
            do {
                identity = try IncomingIdentity(
                    provider: slug, issuer: completed.issuer, subject: completed.subject, claims: ClaimMapping.claimValues(merged)
                )
            } catch { throw .idTokenRejected(detail: "incomplete identity: \(error.code.rawValue)") }
            let verified = AccountLinking.VerifiedSignIn(
                identity: identity,
                claimsJSON: String(decoding: (try? JSONValue.object(merged).serialized()) ?? Array("{}".utf8), as: UTF8.self),
                displayName: merged["name"]?.stringValue,
                upstreamIdP: completed.upstreamIdP
            )
            if case .link(let linkingUser) = flow.flow.intent {
                return try finishLink(verified, userID: linkingUser, next: flow.flow.nextPath, request: request, now: now)
            }
            // Forward-auth's groups. GitHub has none: every claim of its identities but the email
            // is its user's own text (the login, the name), so a `groups_claim` naming one would
            // let a person grant themselves any group (review finding).
            let groups = provider.settings.quirks.gitHub == nil
                ? SessionGroups.read(from: merged, claim: groupsClaim, preferring: requiredGroups) : []
            return try finish(
                .external(
                    verified, groups: groups, idToken: completed.idTokenForSignOut, providerSessionID: completed.idToken?.sessionID,
                    providerSubject: completed.idToken?.subject, idTokenIssuedAt: completed.idToken?.issuedAt,
                    authTime: completed.idToken?.authTime
                ),
                next: flow.flow.nextPath, request: request, now: now
            )
        } catch {
            return refuseCallback(error, request: request, provider: slug, userID: userID, now: now)
        }
    }

    /// The callback's parameters and the flow they finish, claimed once for this browser: from
    /// the query, or from the response a `form_post` left under a continuation reference.
    private func claimCallback(_ request: Request, now: Int64) throws(SignInFailure) -> (CallbackParameters, SignInFlowRecord) {
        let query: QueryParameters
        do { query = try request.query } catch { throw .badCallback(detail: "undecodable parameters") }
        guard let reference = query.first(Self.continuationParameter) else {
            let parameters = try Self.parameters(query)
            return (parameters, try claimFlow(state: parameters.state, request: request, now: now))
        }
        let result: Result<(flow: SignInFlowRecord, postedResponse: String), SignInFlowRefusal>
        do {
            let referenceHash = Digest.sha256(Array(reference.utf8))
            let browserHash = flowCookie.presentedHash(in: request)
            result = try database.write { connection in
                try SignInFlowRepository(connection).claim(continuationHash: referenceHash, browserHash: browserHash, now: now)
            }
        } catch { throw .storeUnavailable("could not read the flow", error) }
        let (flow, posted) = try Self.claimed(result).get()
        let parameters: CallbackParameters
        do { parameters = try Self.parameters(try QueryParameters(parsing: posted)) } catch { throw .badCallback(detail: "stored response unreadable") }
        // The response was filed under the flow its state names; say so again, byte for byte.
        guard Digest.sha256(Array(parameters.state.utf8)) == flow.flow.stateHash else { throw .flowUnknown }
        return (parameters, flow)
    }

    /// The query parameter that carries a `form_post` continuation reference.
    static let continuationParameter = "continue"

    /// The longest posted response kept beside a flow, encoded. A real one is a code (each
    /// parameter is at most 4,096 bytes), our 43-character state and the issuer, or an error and
    /// its description; anyone can post one to a flow they started, so this, times
    /// `database.max_pending_sign_in_flows`, bounds what such posts can store.
    static let maximumHeldResponseBytes = 8192

    /// `response_mode=form_post`: the provider's page POSTs the response here from its own origin,
    /// a cross-site request that carries no SameSite=Lax cookie. The response is kept beside the
    /// flow its state names (an unused, unexpired flow, once) under a fresh reference, and the
    /// browser is sent on with a 303 to the same-origin GET that finishes the flow with the
    /// cookies. Nothing is written for a state that names no such flow.
    func holdPostedCallback(_ request: Request) -> Response {
        let slug = request.pathParameters["provider"] ?? ""
        let now = clock()
        do throws(SignInFailure) {
            guard providers[slug] != nil else { throw .unknownProvider(slug) }
            let form: QueryParameters
            do { form = try request.formBody() } catch { throw .badCallback(detail: "undecodable parameters") }
            let parameters = try Self.parameters(form)
            let kept = form.pairs.filter { CallbackParameters.names.contains($0.name) }
            let response = kept.map { PercentEncoding.queryComponent($0.name) + "=" + PercentEncoding.queryComponent($0.value) }
                .joined(separator: "&")
            guard response.utf8.count <= Self.maximumHeldResponseBytes else { throw .badCallback(detail: "posted response too long") }
            let reference: String
            do { reference = try SessionToken.generate().cookieValue } catch { throw .providerUnavailable(detail: "random source failed") }
            let held: Bool
            do {
                held = try database.write { connection in
                    try SignInFlowRepository(connection).holdPostedResponse(
                        stateHash: Digest.sha256(Array(parameters.state.utf8)), continuationHash: Digest.sha256(Array(reference.utf8)),
                        response: response, now: now
                    )
                }
            } catch { throw .storeUnavailable("could not keep the posted response", error) }
            guard held else { throw .flowUnknown }
            var redirect = Response.redirect(
                to: "\(publicOrigin)/oidc/\(slug)/callback?\(Self.continuationParameter)=\(reference)", status: .seeOther
            )
            redirect.headers.set("Cache-Control", "no-store")
            return redirect
        } catch {
            return refuseCallback(error, request: request, provider: slug, userID: nil, now: now)
        }
    }

    private static func parameters(_ source: QueryParameters) throws(SignInFailure) -> CallbackParameters {
        do { return try CallbackParameters.parse(pairs: source.pairs.map { ($0.name, $0.value) }) } catch {
            throw .badCallback(detail: error.description)
        }
    }

    private func claimFlow(state: String, request: Request, now: Int64) throws(SignInFailure) -> SignInFlowRecord {
        let stateHash = Digest.sha256(Array(state.utf8))
        let browserHash = flowCookie.presentedHash(in: request)
        let result: Result<SignInFlowRecord, SignInFlowRefusal>
        do {
            result = try database.write { connection in
                try SignInFlowRepository(connection).claim(stateHash: stateHash, browserHash: browserHash, now: now)
            }
        } catch { throw .storeUnavailable("could not read the flow", error) }
        return try Self.claimed(result).get()
    }

    private static func claimed<T>(_ result: Result<T, SignInFlowRefusal>) -> Result<T, SignInFailure> {
        result.mapError { refusal in
            switch refusal {
            case .unknown: .flowUnknown
            case .alreadyUsed: .flowReplayed
            case .expired: .flowExpired
            case .otherBrowser: .flowOtherBrowser
            }
        }
    }

    /// Hands the verified identity to the one sign-in completion (account decided, previous
    /// session revoked, new session and audit entry, in one transaction) and sends the browser on.
    /// A denial commits its recorded decision and is refused after.
    private func finish(_ principal: AuthenticatedPrincipal, next: String, request: Request, now: Int64) throws(SignInFailure) -> Response {
        let outcome: SignInCompletion.Outcome
        do {
            outcome = try completion.complete(principal, request: request, now: now)
        } catch {
            throw .storeUnavailable("could not record the sign-in", error)
        }
        let (userID, started): (Int64, SessionManager.Started)
        switch outcome {
        case .signedIn(let signedIn, let session): (userID, started) = (signedIn, session)
        case .denied(let reason): throw .denied(reason)
        case .userInactive: throw .denied(DenyReason.localUserInactive)
        case .providerSignedOut: throw .providerSignedOut
        }
        logger.info("signed in", metadata: ["request_id": "\(request.requestID)", "user_id": "\(userID)"])
        var response = Response.redirect(to: next, status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        do { try response.setCookie(started.cookie) } catch { throw .providerUnavailable(detail: "session cookie: \(error)") }
        return response
    }

    /// Ends an account-page link: the identity is added to the user who started the flow, and
    /// only if this browser is still signed in as that user and the linking engine's
    /// account-link rules allow it. The session is kept as it is.
    private func finishLink(
        _ verified: AccountLinking.VerifiedSignIn, userID: Int64, next: String, request: Request, now: Int64
    ) throws(SignInFailure) -> Response {
        let session: ActiveSession?
        do { session = try sessions.current(request, now: now) } catch { throw .storeUnavailable("session lookup", error) }
        guard let session, session.record.userID == userID else { throw .linkSessionEnded }
        let refusal: DenyReason?
        do {
            refusal = try linking.linkFromAccountPage(verified, to: userID, requestID: request.requestID, now: now)
        } catch { throw .storeUnavailable("could not record the link", error) }
        if let refusal { throw .linkRefused(refusal) }
        logger.info("identity linked from the account page", metadata: [
            "request_id": "\(request.requestID)", "provider": "\(verified.identity.provider)", "user_id": "\(userID)",
        ])
        var response = Response.redirect(to: next, status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    // MARK: - Refusing

    /// A refused callback takes one from the client's share of them, then is refused like any
    /// sign-in: made-up callbacks cost their sender, not everyone.
    private func refuseCallback(_ failure: SignInFailure, request: Request, provider: String, userID: Int64?, now: Int64) -> Response {
        _ = refusedCallbackBudget.take(clientAddress: request.clientAddress, now: now)
        return refuse(failure, request: request, provider: provider, userID: userID, now: now)
    }

    /// A designed page for the person, and for a refusal worth recording
    /// (`SignInFailure.isRecorded`) an audit entry and a log line.
    private func refuse(_ failure: SignInFailure, request: Request, provider: String, userID: Int64?, now: Int64) -> Response {
        if failure.isRecorded {
            var detail = "provider=\(provider); reason=\(failure.reason)"
            if let more = failure.detail { detail += "; \(more)" }
            audit.record(.signInRefused, userID: userID, requestID: request.requestID, now: now, detail: detail, provider: provider)
            logger.notice("sign-in refused", metadata: [
                "request_id": "\(request.requestID)", "provider": "\(provider.prefix(64))", "reason": "\(failure.reason)",
                "detail": "\(failure.detail ?? "")",
            ])
        }
        return failure.page(requestID: request.requestID, pages: pages)
    }
}
