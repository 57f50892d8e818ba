import HTTP

/// Every endpoint of the provider, under the issuer's path.
struct DevProviderRoutes: Sendable {
    let context: DevProviderContext

    func register(in routes: inout RouterBuilder) {
        let prefix = context.pages.prefix
        let authorization = AuthorizationEndpoint(context: context)
        let token = TokenEndpoint(context: context)
        let userInfo = UserInfoEndpoint(context: context)

        routes.get(prefix.isEmpty ? "/" : prefix) { [self] _ in try home() }
        routes.get(prefix + "/.well-known/openid-configuration") { [self] _ in try discovery() }
        routes.get(prefix + "/jwks") { [self] _ in try jwks() }
        routes.get(prefix + "/authorize", handler: authorization.show)
        routes.post(prefix + "/authorize", handler: authorization.submit)
        routes.post(prefix + "/token", on: { [context] _ in context.tokenExecutor }, handler: token.exchange)
        routes.get(prefix + "/userinfo") { request in userInfo.respond(request) }
        routes.post(prefix + "/userinfo") { request in userInfo.respond(request) }
        routes.post(prefix + "/rotate-keys") { [self] request in try rotateKeys(request) }
        routes.get(prefix + "/end-session") { [self] request in try endSession(request) }
        routes.get(prefix + "/dev-idp.css") { _ in
            Response(
                status: .ok, headers: ["Content-Type": "text/css; charset=utf-8", "Cache-Control": "max-age=3600"],
                body: Array(DevPages.stylesheet.utf8))
        }
    }

    private func home() throws -> Response {
        let issuer = try context.issuer()
        let discovery = issuer.endpoint("/.well-known/openid-configuration")
        return .html(context.pages.layout(title: "dev-idp", body: """
            <h1>Development OpenID Provider</h1>
            <p>Issuer: <code>\(HTMLEscaping.escape(issuer.identifier))</code></p>
            <p>Discovery: <a href="\(HTMLEscaping.escape(discovery))">\(HTMLEscaping.escape(discovery))</a></p>
            <p>Client: <code>\(HTMLEscaping.escape(context.client.id))</code></p>
            """))
    }

    private func discovery() throws -> Response {
        let issuer = try context.issuer()
        return .jsonDocument(DiscoveryDocument.make(issuer: issuer, algorithm: context.keys.algorithm, client: context.client))
    }

    private func jwks() throws -> Response {
        var response = Response(status: .ok, headers: ["Content-Type": MediaType.json], body: try context.keys.jwksDocument())
        // Long enough to exercise a relying party's JWKS cache, short enough for rotation tests.
        response.headers.set("Cache-Control", "max-age=300")
        return response
    }

    /// A new current key; the previous stays published until the next rotation. Loopback only,
    /// which the listener already guarantees; checked again so a proxy in front cannot change that.
    private func rotateKeys(_ request: Request) throws -> Response {
        guard let peer = IPAddress(request.peerAddress), DevProviderOptions.isLoopback(peer) else {
            throw HTTPError.forbidden.with(detail: "Keys rotate only for loopback clients.")
        }
        let fresh = try context.keys.rotate()
        context.logger.notice("signing key rotated", metadata: ["kid": "\(fresh.keyID)"])
        var response = Response.jsonDocument(.object([
            "kid": .string(fresh.keyID),
            "published": .array(context.keys.published.map { .string($0.keyID) }),
        ]))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// RP-Initiated Logout, as far as a sessionless provider can: back to the relying party when
    /// `post_logout_redirect_uri` is at the origin of a registered redirect URI, else a page.
    private func endSession(_ request: Request) throws -> Response {
        let parameters = try request.query
        var note: String?
        if let target = parameters.first("post_logout_redirect_uri") {
            if let url = HTTPURL(target), context.client.origins.contains(url.origin) {
                let state = parameters.first("state").map { [("state", $0)] } ?? []
                return .redirect(to: url.appendingQuery(state), status: .found)
            }
            note = "The post_logout_redirect_uri is not at the origin of a registered redirect URI, so you stay here."
        }
        var response = Response.html(context.pages.signedOutPage(note: note))
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
