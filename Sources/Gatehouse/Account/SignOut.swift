import HTTP
import Logging
import OIDC
import Store
import Templates

/// `POST /logout` and the signed-out page (issue 5 section 3).
///
/// The session is revoked at once (forward-auth refuses it from the next request). When the
/// session came through a provider that advertises `end_session_endpoint`, the browser goes on
/// to it with `id_token_hint`, `post_logout_redirect_uri` and a `state` bound to this browser
/// (OpenID Connect RP-Initiated Logout 1.0, `SignOutState`), so the provider's own session ends
/// too; it then comes back to `/signed-out`, which checks the state.
struct SignOut: Sendable {
    let providers: [String: ProviderConnection]
    let publicOrigin: String
    let database: Database
    let sessions: SessionManager
    let csrf: CSRFProtection
    let pages: PageRenderer
    let logger: Logger
    let clock: @Sendable () -> Int64
    let state: SignOutState

    static let signedOutPath = "/signed-out"

    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice) {
        routes.post("/logout", on: executor) { [self] request in try signOut(request) }
        routes.get(Self.signedOutPath) { [self] request in try signedOut(request) }
    }

    func signOut(_ request: Request) throws -> Response {
        let now = clock()
        guard let session = try sessions.current(request, now: now) else {
            return Response.redirect(to: Self.signedOutPath, status: .seeOther)
        }
        do { try csrf.checkForm(request, session: session.token) } catch {
            return pages.errorPage(.formExpired(reference: request.requestID), status: .forbidden,
                                   action: ErrorPageAction(label: "Back to your account", href: "/account"))
        }
        let (cookie, ended) = try sessions.signOut(request, now: now)
        if let userID = session.record.userID {
            AuditRecorder(database: database, logger: logger).record(
                .signedOut, userID: userID, requestID: request.requestID, now: now,
                detail: "provider=\(session.record.provider ?? "password")", actor: "person", provider: session.record.provider
            )
        }
        logger.info("signed out", metadata: ["request_id": "\(request.requestID)", "user_id": "\(session.record.userID ?? 0)"])
        var response: Response
        if let endSession = endSession(ended) {
            let issued = try state.issue()
            response = Response.redirect(to: endSession(issued.state), status: .seeOther)
            try response.setCookie(issued.cookie)
        } else {
            response = Response.redirect(to: Self.signedOutPath, status: .seeOther)
        }
        response.headers.set("Cache-Control", "no-store")
        try response.setCookie(cookie)
        return response
    }

    /// `GET /signed-out`: the page after sign-out, which says the provider's session ended too
    /// only when the browser came back with the state its own sign-out sent. It reads nothing
    /// but the request and changes nothing but the state cookie, which it clears.
    func signedOut(_ request: Request) throws -> Response {
        let returned = state.check(request)
        var response = try pages.page(SignedOutPageContext(ending: returned), status: returned == .unmatched ? .badRequest : .ok)
        if returned != .plain { try response.setCookie(state.removal()) }
        return response
    }

    /// The provider's end-session URL for this session, given the state to send, or nil when
    /// there is none to visit: a password session, a provider without the endpoint, or no
    /// discovery document ever fetched (the local sign-out has happened either way; the
    /// provider's session is then left as it is). The endpoint comes from the last document
    /// fetched, never from a fetch: sign-out runs on the store executor, and a provider that
    /// hangs must not hold its threads (review finding).
    private func endSession(_ ended: SessionManager.Ended?) -> ((String) -> String)? {
        guard let ended, let slug = ended.provider, let idToken = ended.idToken, let provider = providers[slug],
              let endpoint = provider.lastKnownDiscovery()?.endSessionEndpoint else { return nil }
        let clientID = provider.settings.clientID
        return { [publicOrigin] state in
            let parameters = [
                ("id_token_hint", idToken),
                ("post_logout_redirect_uri", publicOrigin + Self.signedOutPath),
                ("client_id", clientID),
                ("state", state),
            ]
            let query = parameters.map { "\($0.0)=\(PercentEncoding.queryComponent($0.1))" }.joined(separator: "&")
            let base = endpoint.text
            return base + (base.contains("?") ? "&" : "?") + query
        }
    }
}

/// `signed_out.html`: the page after sign-out, in the three ways a browser reaches it.
struct SignedOutPageContext: PageContext {
    static let template = "signed_out"
    var ending: SignOutState.Return = .plain
    var title: String { ending == .unmatched ? "Sign-out not confirmed" : "Signed out" }
    var values: [String: TemplateValue] {
        ["login_href": .string("/login"), "confirmed": .bool(ending == .confirmed), "unmatched": .bool(ending == .unmatched)]
    }
    static var schema: [String: TemplateValue] { SignedOutPageContext().values }
}
