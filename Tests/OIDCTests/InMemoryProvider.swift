import Foundation
import JOSE
import Synchronization
import Testing
@testable import OIDC

/// An OpenID Provider that answers `ProviderConnection` from memory, through the OIDC layer's
/// own transport protocol: discovery, the key set, the token endpoint and userinfo. It keeps
/// every request it was sent, so a test says exactly what went over the wire and when.
final class InMemoryProvider: ProviderTransport {
    static let issuer = "https://op.example"
    static let tokenEndpoint = "https://op.example/token"
    static let subject = "user-248289761001"

    struct State {
        /// The keys the key set publishes.
        var published: [JWSSigningKey]
        /// The key ID tokens are signed with (not necessarily published).
        var signer: JWSSigningKey
        /// `token_endpoint_auth_methods_supported`, or nil for none listed.
        var authMethods: [String]?
        var nonce = Fixture.nonce
        var userinfoSubject = subject
        /// Paths answered with a 503, as by a provider that is down.
        var failing: Set<String> = []
        var requests: [ProviderRequest] = []
    }

    let state: Mutex<State>

    init(signer: JWSSigningKey, authMethods: [String]? = nil) {
        state = Mutex(State(published: [signer], signer: signer, authMethods: authMethods))
    }

    var requests: [ProviderRequest] { state.withLock { $0.requests } }

    func requests(to path: String) -> [ProviderRequest] {
        requests.filter { $0.url == Self.issuer + path }
    }

    func send(_ request: ProviderRequest) throws(ProviderTransportError) -> ProviderResponse {
        let current = state.withLock { state in
            state.requests.append(request)
            return state
        }
        let path = request.url.dropFirst(Self.issuer.count)
        if current.failing.contains(String(path)) { return ProviderResponse(status: 503, body: []) }
        switch path {
        case "/.well-known/openid-configuration":
            let document: [String: String] = [
                "issuer": Self.issuer, "authorization_endpoint": Self.issuer + "/authorize", "token_endpoint": Self.tokenEndpoint,
                "jwks_uri": Self.issuer + "/jwks", "userinfo_endpoint": Self.issuer + "/userinfo",
            ]
            var members = document.map { "\"\($0.key)\":\"\($0.value)\"" }
            members.append(#""response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256","EdDSA","RS256"]"#)
            if let methods = current.authMethods {
                members.append("\"token_endpoint_auth_methods_supported\":[\(methods.map { "\"\($0)\"" }.joined(separator: ","))]")
            }
            return Self.json("{\(members.joined(separator: ","))}")
        case "/jwks":
            let keys = current.published.map { String(decoding: (try? $0.publicJWK.serialized()) ?? [], as: UTF8.self) }
            return Self.json("{\"keys\":[\(keys.joined(separator: ","))]}")
        case "/token":
            let claims = #"{"iss":"\#(Self.issuer)","sub":"\#(Self.subject)","aud":"\#(Fixture.clientID)","exp":\#(Fixture.now + 300),"iat":\#(Fixture.now),"nonce":"\#(current.nonce)","email":"ada@example.com"}"#
            guard let idToken = try? current.signer.sign(payload: Array(claims.utf8)) else {
                throw ProviderTransportError(kind: "test", detail: "could not sign")
            }
            return Self.json(#"{"access_token":"at-1","token_type":"Bearer","id_token":"\#(idToken)"}"#)
        case "/userinfo":
            return Self.json(#"{"sub":"\#(current.userinfoSubject)","name":"Ada Lovelace"}"#)
        default:
            return ProviderResponse(status: 404, body: [])
        }
    }

    static func json(_ text: String) -> ProviderResponse {
        ProviderResponse(status: 200, headers: [ProviderHeader(name: "Content-Type", value: "application/json")], body: Array(text.utf8))
    }

    /// Settings for a client of this provider.
    static func settings(_ change: (inout OIDCProviderSettings) -> Void = { _ in }) -> OIDCProviderSettings {
        var settings = OIDCProviderSettings(
            slug: "op", name: "OP", issuer: issuer, clientID: Fixture.clientID, clientSecret: Fixture.clientSecret,
            allowedAlgorithms: [.es256, .edDSA, .rs256]
        )
        change(&settings)
        return settings
    }

    /// A callback with a code and the right state, as the browser brings it.
    static var callback: CallbackParameters {
        get throws { try CallbackParameters.parse(pairs: [("code", "code-1"), ("state", "state-1")]) }
    }

    static let pending = PendingAuthorization(nonce: Fixture.nonce, codeVerifier: "verifier-1", redirectURI: "https://rp.example/cb")
}

/// The form fields of a token request's body.
func formFields(_ request: ProviderRequest) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
        fields[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return fields
}
