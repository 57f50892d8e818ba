import HTTP
import Logging
import OIDC
import Store
import Templates

/// `POST /logout` and the signed-out page (issue 5 section 3).
///
/// The session is revoked at once (forward-auth refuses it from the next request). When the
/// session came through a provider that advertises `end_session_endpoint`, the browser goes on
/// to it with `id_token_hint` and `post_logout_redirect_uri` (OpenID Connect RP-Initiated
/// Logout 1.0), so the provider's own session ends too; it then comes back to `/signed-out`.
struct SignOut: Sendable {
    let providers: [String: ProviderConnection]
    let publicOrigin: String
    let database: Database
    let sessions: SessionManager
    let csrf: CSRFProtection
    let pages: PageRenderer
    let logger: Logger
    let clock: @Sendable () -> Int64

    static let signedOutPath = "/signed-out"

    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice) {
        routes.post("/logout", on: executor) { [self] request in try signOut(request) }
        routes.get(Self.signedOutPath) { [self] _ in try pages.page(SignedOutPageContext()) }
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
        var response = Response.redirect(to: endSessionURL(ended, now: now) ?? Self.signedOutPath, status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        try response.setCookie(cookie)
        return response
    }

    /// The provider's end-session URL for this session, or nil when there is none to visit: a
    /// password session, a provider without the endpoint, or discovery unavailable (the local
    /// sign-out has happened either way; the provider's session is then left as it is).
    private func endSessionURL(_ ended: SessionManager.Ended?, now: Int64) -> String? {
        guard let ended, let slug = ended.provider, let idToken = ended.idToken, let provider = providers[slug],
              let endpoint = try? provider.discovery(now: now).endSessionEndpoint else { return nil }
        let parameters = [
            ("id_token_hint", idToken),
            ("post_logout_redirect_uri", publicOrigin + Self.signedOutPath),
            ("client_id", provider.settings.clientID),
        ]
        let query = parameters.map { "\($0.0)=\(PercentEncoding.queryComponent($0.1))" }.joined(separator: "&")
        let base = endpoint.text
        return base + (base.contains("?") ? "&" : "?") + query
    }
}

/// `signed_out.html`: the page after sign-out.
struct SignedOutPageContext: PageContext {
    static let template = "signed_out"
    var title: String { "Signed out" }
    var values: [String: TemplateValue] { ["login_href": .string("/login")] }
    static var schema: [String: TemplateValue] { SignedOutPageContext().values }
}
