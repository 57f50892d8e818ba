import HTTP
import Testing
import TestSupport
@testable import DevProvider

@Suite("dev-idp authorization requests")
struct AuthorizationRequestTests {
    static let client = DevClient(
        id: "gatehouse-dev", secret: "dev-secret",
        redirectURIs: [HTTPURL("http://127.0.0.1:8080/oidc/dev/callback")].compactMap { $0 })

    static let valid: [(String, String)] = [
        ("client_id", "gatehouse-dev"), ("redirect_uri", "http://127.0.0.1:8080/oidc/dev/callback"), ("response_type", "code"),
        ("scope", "openid email"), ("state", "st"), ("nonce", "nn"),
        ("code_challenge", PKCEVector.challenge), ("code_challenge_method", "S256"),
    ]

    /// The valid request with `name` set to `value` (nil drops it; a name not there is added).
    static func with(_ changes: [(String, String?)]) -> QueryParameters {
        var pairs = valid
        for (name, value) in changes {
            if let index = pairs.firstIndex(where: { $0.0 == name }) {
                if let value { pairs[index].1 = value } else { pairs.remove(at: index) }
            } else if let value {
                pairs.append((name, value))
            }
        }
        return QueryParameters(pairs.map { QueryParameters.Pair(name: $0.0, value: $0.1) })
    }

    @Test("a valid request passes with its parameters")
    func validRequest() {
        guard case .valid(let request) = AuthorizationRequestValidation.validate(Self.with([]), client: Self.client) else {
            Issue.record("a valid request was not accepted")
            return
        }
        #expect(request.state == "st")
        #expect(request.nonce == "nn")
        #expect(request.responseMode == .query)
        #expect(request.scopes == ["openid", "email"])
    }

    @Test("a bad client or redirect URI is refused on a page, never redirected", arguments: [
        ([("client_id", nil)] as [(String, String?)], "no client_id"),
        ([("client_id", "someone-else")], "an unknown client"),
        ([("redirect_uri", nil)], "no redirect_uri"),
        ([("redirect_uri", "http://evil.example/cb")], "an unregistered redirect URI"),
        ([("redirect_uri", "http://127.0.0.1:8080/oidc/dev/callback/extra")], "a registered URI as a prefix is not a match"),
        ([("redirect_uri", "http://127.0.0.1:8080/oidc/dev/Callback")], "the match is case-sensitive"),
        ([("redirect_uri", "http://127.0.0.1:8080/oidc/dev/callback?x=1")], "an added query is not a match"),
        ([("redirect_uri", "HTTP://127.0.0.1:8080/oidc/dev/callback")], "no normalisation before matching"),
    ])
    func refused(_ changes: [(String, String?)], _ reason: String) {
        guard case .refused = AuthorizationRequestValidation.validate(Self.with(changes), client: Self.client) else {
            Issue.record("not refused: \(reason)")
            return
        }
    }

    @Test("a repeated client_id or redirect_uri is refused on a page")
    func repeatedIdentityParameters() {
        for name in ["client_id", "redirect_uri"] {
            let value = Self.valid.first { $0.0 == name }?.1 ?? ""
            let parameters = QueryParameters((Self.valid + [(name, value)]).map { QueryParameters.Pair(name: $0.0, value: $0.1) })
            guard case .refused = AuthorizationRequestValidation.validate(parameters, client: Self.client) else {
                Issue.record("a repeated \(name) was not refused")
                continue
            }
        }
    }

    @Test("other problems go back to the redirect URI with the right error", arguments: [
        ([("response_type", "token")] as [(String, String?)], "unsupported_response_type", "implicit flow"),
        ([("response_type", "code id_token")], "unsupported_response_type", "hybrid flow"),
        ([("response_type", nil)], "invalid_request", "no response_type"),
        ([("scope", nil)], "invalid_scope", "no scope"),
        ([("scope", "email profile")], "invalid_scope", "no openid"),
        ([("scope", "openidx")], "invalid_scope", "openid must be a whole scope token"),
        ([("code_challenge", nil)], "invalid_request", "PKCE is required"),
        ([("code_challenge_method", nil)], "invalid_request", "the method defaults to plain, which is refused"),
        ([("code_challenge_method", "plain")], "invalid_request", "plain is refused"),
        ([("code_challenge", "short")], "invalid_request", "a challenge is 43 characters"),
        ([("code_challenge", String(repeating: "+", count: 43))], "invalid_request", "a challenge is base64url"),
        ([("response_mode", "fragment")], "invalid_request", "fragment is not offered"),
        ([("request", "eyJ...")], "request_not_supported", "request objects"),
        ([("request_uri", "urn:x")], "request_uri_not_supported", "request_uri"),
        ([("prompt", "none")], "login_required", "no session to reuse"),
        ([("nonce", String(repeating: "n", count: 2049))], "invalid_request", "an absurdly long nonce"),
    ])
    func redirectErrors(_ changes: [(String, String?)], _ error: String, _ reason: String) {
        guard case .redirectError(let response) = AuthorizationRequestValidation.validate(Self.with(changes), client: Self.client) else {
            Issue.record("no redirect error: \(reason)")
            return
        }
        #expect(response.error == error, "\(reason)")
        #expect(response.state == "st", "state travels back with the error")
        #expect(response.description.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }, "RFC 6749 error_description charset")
    }

    @Test("a repeated parameter is invalid_request, and a repeated state is not echoed", arguments: ["state", "scope", "nonce", "code_challenge"])
    func repeatedParameter(_ name: String) {
        let parameters = QueryParameters((Self.valid + [(name, "again")]).map { QueryParameters.Pair(name: $0.0, value: $0.1) })
        guard case .redirectError(let response) = AuthorizationRequestValidation.validate(parameters, client: Self.client) else {
            Issue.record("a repeated \(name) was accepted")
            return
        }
        #expect(response.error == "invalid_request")
        #expect(response.state == (name == "state" ? nil : "st"))
    }

    @Test("over the socket: a bad redirect URI gets a 400 page, a bad scope a redirect with error, state and iss")
    func overTheSocket() throws {
        let running = try RunningDevProvider()
        let refused = try running.get(running.authorizePath(["redirect_uri": "http://evil.example/cb"]))
        #expect(refused.status == 400)
        #expect(refused.header("Location") == nil)
        #expect(refused.header("Content-Type")?.hasPrefix("text/html") == true)

        let error = try running.get(running.authorizePath(["scope": "email"]))
        #expect(error.status == 302)
        let parameters = try running.callbackParameters(error)
        #expect(parameters.first("error") == "invalid_scope")
        #expect(parameters.first("error_description")?.isEmpty == false)
        #expect(parameters.first("state") == "state-123")
        #expect(parameters.first("iss") == running.provider.issuer)
    }

    @Test("redirect URIs with a query keep it, and ours is appended")
    func redirectURIWithQuery() throws {
        let running = try RunningDevProvider()
        let response = try running.submitSignIn(request: ["redirect_uri": RunningDevProvider.secondRedirectURI])
        #expect(response.status == 303)
        let parameters = try running.callbackParameters(response, redirectURI: "http://localhost:9999/other/callback")
        #expect(parameters.first("tenant") == "a")
        #expect(parameters.first("code") != nil)
    }
}

@Suite("dev-idp building blocks")
struct BuildingBlockTests {
    @Test("PKCE S256 matches RFC 7636 Appendix B, and nothing else")
    func pkce() {
        #expect(PKCE.verifier(PKCEVector.verifier, matches: PKCEVector.challenge))
        #expect(!PKCE.verifier(PKCEVector.verifier + "x", matches: PKCEVector.challenge))
        #expect(!PKCE.verifier(PKCEVector.challenge, matches: PKCEVector.challenge), "plain is not S256")
        #expect(PKCE.isWellFormedVerifier(PKCEVector.verifier))
        #expect(!PKCE.isWellFormedVerifier(String(repeating: "a", count: 129)), "over 128 characters")
        #expect(!PKCE.isWellFormedVerifier(String(repeating: "a", count: 42) + "+"), "outside the unreserved set")
    }

    @Test("percent-encoding keeps only unreserved characters")
    func percentEncoding() {
        #expect(HTTPURL.percentEncoded("a b&c=d/é~-._") == "a%20b%26c%3Dd%2F%C3%A9~-._")
    }

    @Test("URLs the provider refuses", arguments: [
        ("http://127.0.0.1/cb#x", "a fragment"), ("javascript:alert(1)", "not http"), ("http:///cb", "no authority"),
        ("http://a@b/cb", "user-info"), ("http://127.0.0.1/c b", "a space"), ("https://127.0.0.1/\n", "a control character"),
    ])
    func badURLs(_ text: String, _ reason: String) {
        #expect(HTTPURL(text) == nil, "\(reason)")
    }

    @Test("origins are scheme and authority, lower-cased")
    func origins() throws {
        #expect(try #require(HTTPURL("HTTP://LocalHost:8080/a?b")).origin == "http://localhost:8080")
        #expect(try #require(HTTPURL("https://[::1]:9400")).origin == "https://[::1]:9400")
    }
}
