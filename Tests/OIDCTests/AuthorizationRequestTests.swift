import Crypto
import JOSE
import Testing
@testable import OIDC

@Suite("PKCE and the authorization request")
struct AuthorizationRequestTests {
    static let rfc7636Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    @Test("RFC 7636 appendix B: the S256 challenge of the example verifier")
    func rfc7636Vector() throws {
        #expect(PKCE.challenge(for: Self.rfc7636Verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(try PKCE(verifier: Self.rfc7636Verifier).challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.method == "S256")
    }

    @Test("fresh verifiers are 43 base64url characters of 32 random bytes, different each time")
    func freshVerifier() throws {
        let first = try PKCE.generate()
        let second = try PKCE.generate()
        #expect(first.verifier.utf8.count == 43)
        #expect(try Base64URL.decode(first.verifier).count == 32)
        #expect(first.verifier != second.verifier)
        #expect(first.challenge == PKCE.challenge(for: first.verifier))
    }

    @Test("stored verifiers outside RFC 7636's length and alphabet are refused", arguments: [
        (String(repeating: "a", count: 42), "42 characters, one short"),
        (String(repeating: "a", count: 129), "129 characters, one long"),
        (String(repeating: "a", count: 42) + "+", "a character outside the alphabet"),
    ])
    func badVerifier(_ verifier: String, _ reason: String) {
        #expect(errorCode { try PKCE(verifier: verifier) } == .invalidConfiguration, "\(reason)")
    }

    @Test("state and nonce are 256 random bits each, base64url, and differ")
    func stateAndNonce() throws {
        let request = try AuthorizationRequest.generate()
        #expect(try Base64URL.decode(request.state).count == 32)
        #expect(try Base64URL.decode(request.nonce).count == 32)
        #expect(request.state != request.nonce)
        #expect(try AuthorizationRequest.generate().state != request.state)
    }

    static func fixedRequest() throws -> AuthorizationRequest {
        AuthorizationRequest(state: "state-1", nonce: "nonce-1", pkce: try PKCE(verifier: rfc7636Verifier))
    }

    static func endpoint(_ text: String = "https://issuer.example/authorize") throws -> EndpointURL {
        try EndpointURL.parse(text, plainHTTPAllowedForLoopback: false)
    }

    @Test("the URL carries every protocol parameter, percent-encoded, in order")
    func defaultURL() throws {
        let url = try Self.fixedRequest().url(
            authorizationEndpoint: try Self.endpoint(), redirectURI: "https://login.example.com/oidc/test/callback", settings: Fixture.settings
        )
        #expect(url == "https://issuer.example/authorize?response_type=code&client_id=gatehouse-client"
            + "&redirect_uri=https%3A%2F%2Flogin.example.com%2Foidc%2Ftest%2Fcallback&scope=openid%20email%20profile"
            + "&state=state-1&nonce=nonce-1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
        #expect(!url.contains("response_mode"), "query is the default and is not sent")
    }

    @Test("an endpoint that already has a query gets our parameters after &", arguments: [
        ("https://issuer.example/authorize?tenant=a", "https://issuer.example/authorize?tenant=a&response_type=code", "a query: append with &"),
        ("https://issuer.example/authorize?", "https://issuer.example/authorize?response_type=code", "an empty query: no stray &"),
        ("https://issuer.example/authorize?tenant=a&", "https://issuer.example/authorize?tenant=a&response_type=code", "a query ending in &: no double &"),
    ])
    func existingQuery(_ endpoint: String, _ prefix: String, _ reason: String) throws {
        let url = try Self.fixedRequest().url(authorizationEndpoint: try Self.endpoint(endpoint), redirectURI: "https://x/cb", settings: Fixture.settings)
        #expect(url.hasPrefix(prefix + "&client_id="), "\(reason)")
    }

    @Test("an endpoint query that sets one of our parameters is refused, even percent-encoded")
    func endpointQueryCollision() throws {
        for endpoint in ["https://issuer.example/authorize?client_id=other", "https://issuer.example/authorize?redirect%5Furi=x"] {
            #expect(errorCode {
                try Self.fixedRequest().url(authorizationEndpoint: try Self.endpoint(endpoint), redirectURI: "https://x/cb", settings: Fixture.settings)
            } == .invalidConfiguration, "\(endpoint)")
        }
    }

    @Test("form_post, login_hint, prompt, max_age, acr_values and extras are sent when configured, encoded")
    func optionalParameters() throws {
        var settings = Fixture.settings
        settings.responseMode = .formPost
        settings.loginHint = "jane+tag@example.com"
        settings.prompt = "login consent"
        settings.maxAge = 300
        settings.acrValues = ["urn:mace:incommon:iap:silver", "phr"]
        settings.extraAuthorizationParameters = [("audience", "api://x y"), ("hd", "example.com"), ("ui_locales", "fr-CA é")]
        let parameters = try Self.fixedRequest().parameters(redirectURI: "https://x/cb", settings: settings)
        #expect(parameters.map(\.name).suffix(8) == ["response_mode", "login_hint", "prompt", "max_age", "acr_values", "audience", "hd", "ui_locales"])
        let url = try Self.fixedRequest().url(authorizationEndpoint: try Self.endpoint(), redirectURI: "https://x/cb", settings: settings)
        #expect(url.hasSuffix("&response_mode=form_post&login_hint=jane%2Btag%40example.com&prompt=login%20consent&max_age=300"
            + "&acr_values=urn%3Amace%3Aincommon%3Aiap%3Asilver%20phr&audience=api%3A%2F%2Fx%20y&hd=example.com&ui_locales=fr-CA%20%C3%A9"))
    }

    @Test("extra parameters can never override a protocol parameter", arguments: Array(AuthorizationRequest.reservedParameterNames).sorted())
    func reservedExtra(_ name: String) throws {
        var settings = Fixture.settings
        settings.extraAuthorizationParameters = [(name, "attacker")]
        #expect(errorCode { try Self.fixedRequest().parameters(redirectURI: "https://x/cb", settings: settings) } == .invalidConfiguration)
        #expect(errorCode { try settings.validate(plainHTTPAllowedForLoopback: false) } == .invalidConfiguration)
    }

    @Test("an extra parameter given twice or with an empty name is refused")
    func duplicateExtra() throws {
        var settings = Fixture.settings
        settings.extraAuthorizationParameters = [("hd", "a"), ("hd", "b")]
        #expect(errorCode { try Self.fixedRequest().parameters(redirectURI: "https://x/cb", settings: settings) } == .invalidConfiguration)
        settings.extraAuthorizationParameters = [("", "a")]
        #expect(errorCode { try Self.fixedRequest().parameters(redirectURI: "https://x/cb", settings: settings) } == .invalidConfiguration)
    }
}
