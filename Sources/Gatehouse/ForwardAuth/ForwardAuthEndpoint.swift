import HTTP
import Logging
import OIDC
import Store

/// `GET /auth/verify`: the session check a reverse proxy asks before every request to a
/// protected application (nginx `auth_request`, Traefik ForwardAuth, Caddy `forward_auth`).
///
/// - A usable session that meets the host's rules: `200` with the identity headers.
/// - No usable session: `401` (nginx turns it into its own `error_page`), or with `?rd=1` a
///   `302` to `/login?next=<original URL>` for proxies that pass the answer to the browser.
/// - A session that fails the host's rules (email domain, required groups): `403`.
///
/// This runs on every request to every protected application, so it does the least it can:
/// no JSON, one indexed read (`SessionRepository.findForwardAuth`), a write only once per
/// session per touch interval (`SessionManager.forwardAuthSession`), and the query string is
/// read only when there is no session.
struct ForwardAuthEndpoint: Sendable {
    let sessions: SessionManager
    let loginURL: String
    /// The protected hosts by origin (`https://app.example.com`, default port omitted).
    let protectedHosts: [String: ForwardAuthConfig.ProtectedHost]
    let isTrustedProxy: @Sendable (String) -> Bool
    let returnTarget: ReturnTarget
    let logger: Logger
    let clock: @Sendable () -> Int64

    init(config: GatehouseConfig, sessions: SessionManager, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        self.sessions = sessions
        loginURL = config.server.publicOrigin + "/login"
        var hosts: [String: ForwardAuthConfig.ProtectedHost] = [:]
        for host in config.forwardAuth.protectedHosts { hosts[host.url.origin] = host }
        protectedHosts = hosts
        let server = config.server
        isTrustedProxy = { address in server.isTrustedProxy(address) }
        returnTarget = ReturnTarget(config: config.forwardAuth)
        self.logger = logger
        self.clock = clock
    }

    func register(in routes: inout RouterBuilder) {
        routes.get("/auth/verify") { [self] request in try respond(to: request) }
    }

    func respond(to request: Request) throws -> Response {
        let now = clock()
        guard let session = try sessions.forwardAuthSession(request, now: now) else {
            return signedOut(request)
        }
        let origin = ForwardedOrigin.key(scheme: request.scheme, host: request.host)
        let host = protectedHosts[origin]
        if let refusal = refusal(of: session, host: host) {
            logger.notice("forward-auth refused", metadata: [
                "request_id": "\(request.requestID)", "user_id": "\(session.userID)", "host": "\(origin)", "reason": "\(refusal)",
            ])
            var response = Response.text("Forbidden: \(refusal.message)\n", status: .forbidden)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        return IdentityHeaders.response(for: session, remoteUser: host?.remoteUser ?? .username)
    }

    /// Fails closed: once protected hosts are configured, a host not among them is refused, so
    /// a client that makes the proxy name another host (a forged `Host` reaching a catch-all
    /// server block) cannot slip past the rules. With none configured, any host gets the
    /// session check alone.
    private func refusal(of session: ForwardAuthSession, host: ForwardAuthConfig.ProtectedHost?) -> ForwardAuthRefusal? {
        guard !protectedHosts.isEmpty else { return nil }
        guard let host else { return .hostNotProtected }
        return ForwardAuthRules.refusal(of: session, at: host)
    }

    /// 401, or with `rd=1` a redirect to the sign-in page carrying the original URL when, and
    /// only when, it can be trusted: the peer is a configured proxy and the URL's origin is a
    /// protected host. Otherwise `next` is left out, so this can never redirect elsewhere.
    private func signedOut(_ request: Request) -> Response {
        guard (try? request.query.first("rd")) == "1" else {
            var response = Response.text("Unauthorized\n", status: .unauthorized)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        var location = loginURL
        if let original = originalURL(of: request) {
            location += "?next=" + PercentEncoding.queryComponent(original)
        }
        var response = Response.redirect(to: location, status: .found)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// The URL the browser asked the proxy for, from `X-Forwarded-Proto`/`-Host` (already
    /// applied to `scheme`/`host` for trusted peers by `ForwardedHeaders`) and `X-Forwarded-Uri`.
    func originalURL(of request: Request) -> String? {
        guard isTrustedProxy(request.peerAddress) else { return nil }
        let origin = ForwardedOrigin.key(scheme: request.scheme, host: request.host)
        guard protectedHosts[origin] != nil else { return nil }
        let uri = request.headers.values(of: "X-Forwarded-Uri").last ?? "/"
        guard uri.hasPrefix("/") else { return nil }
        // Re-checked by the same rules as a sign-in's `next`, so both agree on what is allowed.
        let target = returnTarget.validate(origin + uri)
        return target == NextPath.fallback ? nil : target
    }
}
