import JOSE
import Testing
@testable import OIDC

@Suite("Discovery document")
struct DiscoveryDocumentTests {
    static let members: [String: String] = [
        "issuer": Claims.json(Fixture.issuer),
        "authorization_endpoint": Claims.json("https://issuer.example/authorize?tenant=a"),
        "token_endpoint": Claims.json("https://issuer.example/token"),
        "jwks_uri": Claims.json("https://issuer.example/jwks"),
        "userinfo_endpoint": Claims.json("https://issuer.example/userinfo"),
        "id_token_signing_alg_values_supported": "[\"RS256\",\"EdDSA\",\"none\",\"XYZ\"]",
        "authorization_response_iss_parameter_supported": "true",
    ]

    static func document(_ changes: [String: String?] = [:]) -> [UInt8] {
        var claims = Claims(raw: members)
        for (name, value) in changes { claims = claims.with(name, value) }
        return Array(claims.json.utf8)
    }

    static func parse(_ bytes: [UInt8], issuer: String = Fixture.issuer, loopback: Bool = false) throws(OIDCError) -> DiscoveryDocument {
        try DiscoveryDocument.parse(bytes, expectedIssuer: issuer, plainHTTPAllowedForLoopback: loopback)
    }

    @Test("a complete document parses; unknown algorithm names drop out of the advertised list")
    func complete() throws {
        let document = try Self.parse(Self.document())
        #expect(document.issuer == Fixture.issuer)
        #expect(document.authorizationEndpoint.query == "tenant=a")
        #expect(document.tokenEndpoint.text == "https://issuer.example/token")
        #expect(document.jwksURI?.text == "https://issuer.example/jwks")
        #expect(document.userinfoEndpoint?.text == "https://issuer.example/userinfo")
        #expect(document.endSessionEndpoint == nil)
        #expect(document.advertisedAlgorithms == [.rs256, .edDSA])
        #expect(document.authorizationResponseIssParameterSupported)
    }

    @Test("optional members may be absent: no advertised algorithms, no RFC 9207")
    func minimal() throws {
        let document = try Self.parse(Self.document([
            "userinfo_endpoint": nil, "id_token_signing_alg_values_supported": nil, "authorization_response_iss_parameter_supported": nil,
        ]))
        #expect(document.advertisedAlgorithms == nil)
        #expect(!document.authorizationResponseIssParameterSupported)
        #expect(document.userinfoEndpoint == nil)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let changes: [String: String?]
        let expected: OIDCError.Code
        let reason: String
        var testDescription: String { reason }
    }

    static let rows: [Row] = [
        Row(changes: ["issuer": Claims.json("https://issuer.example/")], expected: .discoveryIssuerMismatch, reason: "issuer with a trailing slash is not the configured issuer"),
        Row(changes: ["issuer": Claims.json("https://evil.example")], expected: .discoveryIssuerMismatch, reason: "another provider's document"),
        Row(changes: ["issuer": Claims.json("https://ISSUER.example")], expected: .discoveryIssuerMismatch, reason: "issuer differs in case"),
        Row(changes: ["issuer": nil], expected: .malformedDiscovery, reason: "issuer missing"),
        Row(changes: ["issuer": "1"], expected: .malformedDiscovery, reason: "issuer not a string"),
        Row(changes: ["authorization_endpoint": nil], expected: .malformedDiscovery, reason: "authorization_endpoint missing"),
        Row(changes: ["token_endpoint": nil], expected: .malformedDiscovery, reason: "token_endpoint missing"),
        Row(changes: ["jwks_uri": nil], expected: .malformedDiscovery, reason: "jwks_uri missing"),
        Row(changes: ["token_endpoint": Claims.json("http://issuer.example/token")], expected: .malformedDiscovery, reason: "token endpoint on plain http"),
        Row(changes: ["jwks_uri": Claims.json("http://127.0.0.1/jwks")], expected: .malformedDiscovery, reason: "loopback http when not allowed"),
        Row(changes: ["userinfo_endpoint": Claims.json("http://issuer.example/userinfo")], expected: .malformedDiscovery, reason: "optional endpoints are held to https too"),
        Row(changes: ["end_session_endpoint": Claims.json("javascript:alert(1)")], expected: .malformedDiscovery, reason: "end_session_endpoint with another scheme"),
        Row(changes: ["authorization_endpoint": Claims.json("https://issuer.example/authorize#x")], expected: .malformedDiscovery, reason: "endpoint with a fragment"),
        Row(changes: ["authorization_response_iss_parameter_supported": Claims.json("true")], expected: .malformedDiscovery, reason: "the RFC 9207 flag as a string, not a JSON boolean"),
        Row(changes: ["authorization_response_iss_parameter_supported": "1"], expected: .malformedDiscovery, reason: "the RFC 9207 flag as a number"),
        Row(changes: ["id_token_signing_alg_values_supported": Claims.json("RS256")], expected: .malformedDiscovery, reason: "algorithm list as a string"),
        Row(changes: ["code_challenge_methods_supported": "[\"S256\",1]"], expected: .malformedDiscovery, reason: "a method list with a non-string"),
    ]

    @Test("documents that are refused", arguments: rows)
    func refused(_ row: Row) {
        #expect(errorCode { try Self.parse(Self.document(row.changes)) } == row.expected, "\(row.reason)")
    }

    @Test("bytes that are not a JSON object are refused", arguments: ["", "[]", "{", "{\"issuer\":1,\"issuer\":2}"])
    func notAnObject(_ text: String) {
        #expect(errorCode { try Self.parse(Array(text.utf8)) } == .malformedDiscovery)
    }

    @Test("a document over the size cap is refused before parsing")
    func tooLarge() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: DiscoveryDocument.maximumBytes + 1)
        #expect(errorCode { try Self.parse(bytes) } == .responseTooLarge)
    }

    @Test("a configured issuer with a query is refused even when the document agrees")
    func issuerWithQuery() {
        let issuer = "https://issuer.example/?a=b"
        #expect(errorCode { try Self.parse(Self.document(["issuer": Claims.json(issuer)]), issuer: issuer) } == .invalidURL)
    }

    @Test("loopback http passes when allowed, for development providers")
    func loopbackDevelopment() throws {
        let issuer = "http://127.0.0.1:9400"
        let document = Self.document([
            "issuer": Claims.json(issuer), "authorization_endpoint": Claims.json("http://127.0.0.1:9400/authorize"),
            "token_endpoint": Claims.json("http://localhost:9400/token"), "jwks_uri": Claims.json("http://[::1]:9400/jwks"),
            "userinfo_endpoint": Claims.json("http://127.0.0.1:9400/userinfo"),
        ])
        _ = try Self.parse(document, issuer: issuer, loopback: true)
        #expect(errorCode { try Self.parse(document, issuer: issuer, loopback: false) } == .invalidURL)
    }

    /// Review finding: loopback http was allowed for any provider's endpoints, so an https
    /// provider's document could send the back channel (the code, the client secret, people's
    /// access tokens) to a plain-http service on Gatehouse's own machine.
    @Test("an https provider's endpoints may not be plain http, loopback or not", arguments: ["jwks_uri", "token_endpoint", "userinfo_endpoint"])
    func anHTTPSProvidersEndpointsStayOnHTTPS(_ member: String) throws {
        let document = Self.document([member: Claims.json("http://127.0.0.1:6379/x")])
        #expect(errorCode { try Self.parse(document, issuer: Fixture.issuer, loopback: true) } == .malformedDiscovery)
        _ = try Self.parse(Self.document(), issuer: Fixture.issuer, loopback: true)
    }

    @Test("compatibility: S256, form_post and a usable client authentication must be offered when listed")
    func compatibility() throws {
        let settings = Fixture.settings
        try Self.parse(Self.document()).checkCompatibility(with: settings)
        let plainOnly = try Self.parse(Self.document(["code_challenge_methods_supported": "[\"plain\"]"]))
        #expect(errorCode { try plainOnly.checkCompatibility(with: settings) } == .providerIncompatible)
        var formPost = settings
        formPost.responseMode = .formPost
        let queryOnly = try Self.parse(Self.document(["response_modes_supported": "[\"query\",\"fragment\"]"]))
        #expect(errorCode { try queryOnly.checkCompatibility(with: formPost) } == .providerIncompatible)
        try queryOnly.checkCompatibility(with: settings)
        // A client authentication that cannot work with what the provider lists is refused.
        let keyOnly = try Self.parse(Self.document(["token_endpoint_auth_methods_supported": "[\"private_key_jwt\"]"]))
        #expect(errorCode { try keyOnly.checkCompatibility(with: settings) } == .invalidConfiguration)
    }
}
