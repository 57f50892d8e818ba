import Foundation
import HTTP
import JOSE
import Logging
import Synchronization
import OIDC
import TestSupport

/// A stand-in for a named provider's real surface, on loopback, for the profile tests: an
/// OpenID Provider whose discovery document and ID-token claims each test writes (Entra ID's
/// tenant-templated issuer, Google's `hd`, Cognito's string `email_verified`, CILogon's `idp`),
/// or GitHub's OAuth endpoints and REST API (`/login/oauth/...`, `/api/v3/user`, `/user/emails`)
/// as a GitHub Enterprise Server serves them, quirks included: a refused code answers 200 with
/// an `error` member, and the API refuses requests without a User-Agent.
///
/// Its authorize endpoint consents at once: the person's side is not what these tests are about.
final class ProviderDouble: @unchecked Sendable {
    struct Grant {
        let redirectURI: String
        let nonce: String?
    }

    struct State {
        /// Discovery members besides the endpoints (`issuer` included): the test decides.
        var discovery: [String: JOSE.JSONValue] = [:]
        /// The ID token's claims, given the nonce the authorization request carried.
        var claims: @Sendable (_ nonce: String?) -> [String: JOSE.JSONValue] = { _ in [:] }
        var userinfo: [String: JOSE.JSONValue]? = nil
        /// GitHub: `/user` and `/user/emails`.
        var gitHubUser: JOSE.JSONValue = .object([:])
        var gitHubEmails: JOSE.JSONValue = .array([])
        var codes: [String: Grant] = [:]
        var accessTokens: Set<String> = []
        /// Every request, as `METHOD path`.
        var seen: [String] = []
        var userAgents: [String] = []
    }

    let key: JWSSigningKey
    let state = Mutex(State())
    private(set) var server: HTTPServer!
    var port: UInt16 { server.boundAddresses[0].port }
    var origin: String { "http://127.0.0.1:\(port)" }

    init() throws {
        key = try JWSSigningKey.generate(.es256, keyID: "double-1")
        var logger = Logger(label: "provider-double")
        logger.logLevel = .critical
        server = HTTPServer(
            configuration: HTTPServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: 0)]),
            responder: DoubleResponder(double: self), logger: logger, metrics: HTTPMetrics()
        )
        try server.start()
    }

    func stop() { server.shutdown() }

    var seen: [String] { state.withLock { $0.seen } }

    /// The standard discovery members for this origin; `issuer` and the rest are the test's.
    func endpoints() -> [String: JOSE.JSONValue] {
        [
            "authorization_endpoint": .string(origin + "/authorize"), "token_endpoint": .string(origin + "/token"),
            "jwks_uri": .string(origin + "/jwks"), "userinfo_endpoint": .string(origin + "/userinfo"),
            "response_types_supported": .array([.string("code")]), "subject_types_supported": .array([.string("public")]),
            "id_token_signing_alg_values_supported": .array([.string("ES256")]), "code_challenge_methods_supported": .array([.string("S256")]),
        ]
    }

    fileprivate func respond(_ request: Request) -> Response {
        state.withLock {
            $0.seen.append("\(request.method) \(request.target)")
            if let agent = request.headers["User-Agent"] { $0.userAgents.append(agent) }
        }
        switch String(request.path) {
        case "/.well-known/openid-configuration", "/common/v2.0/.well-known/openid-configuration", "/organizations/v2.0/.well-known/openid-configuration":
            return json(.object(endpoints().merging(state.withLock { $0.discovery }) { $1 }))
        case "/jwks":
            return json(.object(["keys": .array([key.publicJWK])]))
        case "/authorize", "/login/oauth/authorize":
            return authorize(request)
        case "/token":
            return token(request, gitHub: false)
        case "/login/oauth/access_token":
            return token(request, gitHub: true)
        case "/userinfo":
            guard bearer(request), let userinfo = state.withLock({ $0.userinfo }) else { return Response(status: .unauthorized) }
            return json(.object(userinfo))
        case "/api/v3/user", "/api/v3/user/emails":
            guard request.headers["User-Agent"] != nil else {
                return json(.object(["message": .string("Request forbidden by administrative rules.")]), status: .forbidden)
            }
            guard bearer(request) else { return json(.object(["message": .string("Bad credentials")]), status: .unauthorized) }
            return json(state.withLock { request.path.hasSuffix("/emails") ? $0.gitHubEmails : $0.gitHubUser })
        default:
            return Response(status: .notFound)
        }
    }

    private func authorize(_ request: Request) -> Response {
        guard let query = try? request.query, let redirect = query.first("redirect_uri"), let stateValue = query.first("state") else {
            return Response(status: .badRequest)
        }
        let code = "code-\(UUID().uuidString)"
        state.withLock { $0.codes[code] = Grant(redirectURI: redirect, nonce: query.first("nonce")) }
        let separator = redirect.contains("?") ? "&" : "?"
        return Response.redirect(to: redirect + separator + "code=\(code)&state=\(PercentEncoding.queryComponent(stateValue))")
    }

    private func token(_ request: Request, gitHub: Bool) -> Response {
        guard let form = try? request.formBody(), let code = form.first("code"),
              let grant = state.withLock({ $0.codes.removeValue(forKey: code) }), form.first("redirect_uri") == grant.redirectURI else {
            // GitHub's quirk: a refused code is a 200 with an error object.
            return json(.object(["error": .string(gitHub ? "bad_verification_code" : "invalid_grant")]), status: gitHub ? .ok : .badRequest)
        }
        // GitHub takes the client's credentials as form parameters only.
        if gitHub, form.first("client_id") != ProviderProfileTests.clientID || form.first("client_secret") != "s3cret" {
            return json(.object(["error": .string("incorrect_client_credentials")]))
        }
        let accessToken = "at-\(UUID().uuidString)"
        state.withLock { _ = $0.accessTokens.insert(accessToken) }
        if gitHub {
            return json(.object(["access_token": .string(accessToken), "token_type": .string("bearer"), "scope": .string("read:user,user:email")]))
        }
        let claims = state.withLock { $0.claims }(grant.nonce)
        guard let idToken = try? key.sign(payload: (try? JOSE.JSONValue.object(claims).serialized()) ?? []) else { return Response(status: .internalServerError) }
        return json(.object(["access_token": .string(accessToken), "token_type": .string("Bearer"), "id_token": .string(idToken)]))
    }

    private func bearer(_ request: Request) -> Bool {
        guard let header = request.headers["Authorization"], header.hasPrefix("Bearer ") else { return false }
        return state.withLock { $0.accessTokens.contains(String(header.dropFirst(7))) }
    }

    private func json(_ value: JOSE.JSONValue, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: (try? value.serialized()) ?? [])
    }

    /// Standard ID-token claims for `subject`, from `issuer` to `audience`, now.
    static func claims(issuer: String, subject: String, audience: String, nonce: String?, extra: [String: JOSE.JSONValue] = [:]) -> [String: JOSE.JSONValue] {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: [String: JOSE.JSONValue] = [
            "iss": .string(issuer), "sub": .string(subject), "aud": .string(audience),
            "iat": .number(String(now)), "exp": .number(String(now + 300)),
        ]
        if let nonce { claims["nonce"] = .string(nonce) }
        return claims.merging(extra) { $1 }
    }
}

private struct DoubleResponder: Responder {
    let double: ProviderDouble
    func respond(to request: Request) -> Response { double.respond(request) }
}
