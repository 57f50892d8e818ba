import JOSE
import Testing
@testable import OIDC

@Suite("Provider settings")
struct ProviderSettingsTests {
    @Test("defaults are the ones the issue names")
    func defaults() {
        let settings = Fixture.settings
        #expect(settings.scopes == ["openid", "email", "profile"])
        #expect(settings.allowedAlgorithms == [.rs256, .ps256, .es256, .edDSA])
        #expect(!settings.allowHMAC)
        #expect(settings.clockSkewSeconds == 60)
        #expect(settings.responseMode == .query)
        #expect(settings.tokenEndpointAuthMethod == nil, "chosen from discovery")
        #expect(settings.userinfoEnabled)
        #expect(settings.jwksMinimumRefetchIntervalSeconds == 5)
        #expect(settings.discoveryRefreshSeconds == 3600)
    }

    @Test("the discovery URL has exactly one slash before .well-known", arguments: [
        ("https://issuer.example", "https://issuer.example/.well-known/openid-configuration"),
        ("https://issuer.example/", "https://issuer.example/.well-known/openid-configuration"),
        ("https://issuer.example/tenant/v2.0", "https://issuer.example/tenant/v2.0/.well-known/openid-configuration"),
        ("https://issuer.example/tenant//", "https://issuer.example/tenant/.well-known/openid-configuration"),
    ])
    func discoveryURL(_ issuer: String, _ expected: String) {
        var settings = Fixture.settings
        settings.issuer = issuer
        #expect(settings.effectiveDiscoveryURL == expected)
        settings.discoveryURL = "https://elsewhere.example/config"
        #expect(settings.effectiveDiscoveryURL == "https://elsewhere.example/config")
    }

    @Test("effective algorithms: configured, HMAC only through allowHMAC, narrowed by discovery")
    func effectiveAlgorithms() {
        var settings = Fixture.settings
        #expect(settings.effectiveAlgorithms(advertised: nil) == [.rs256, .ps256, .es256, .edDSA])
        #expect(settings.effectiveAlgorithms(advertised: [.rs256, .rs512]) == [.rs256])
        #expect(settings.effectiveAlgorithms(advertised: []) == [])
        settings.allowedAlgorithms = [.rs256, .hs256]
        #expect(settings.effectiveAlgorithms(advertised: nil) == [.rs256], "HS256 in the list alone does not enable HMAC")
        settings.allowHMAC = true
        #expect(settings.effectiveAlgorithms(advertised: nil) == [.rs256, .hs256, .hs384, .hs512])
        #expect(settings.effectiveAlgorithms(advertised: [.hs256]) == [.hs256])
    }

    @Test("the fixture's settings are valid")
    func valid() throws {
        try Fixture.settings.validate(plainHTTPAllowedForLoopback: false)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let change: @Sendable (inout OIDCProviderSettings) -> Void
        let expected: OIDCError.Code
        let reason: String
        var testDescription: String { reason }
    }

    static let rows: [Row] = [
        Row(change: { $0.slug = "Bad Slug" }, expected: .invalidConfiguration, reason: "slug with upper case and a space"),
        Row(change: { $0.slug = "" }, expected: .invalidConfiguration, reason: "empty slug"),
        Row(change: { $0.name = "" }, expected: .invalidConfiguration, reason: "empty name"),
        Row(change: { $0.issuer = "http://issuer.example" }, expected: .invalidURL, reason: "plain http issuer off loopback"),
        Row(change: { $0.issuer = "http://127.0.0.1:9000" }, expected: .invalidURL, reason: "loopback http issuer when not allowed"),
        Row(change: { $0.issuer = "https://issuer.example?x=1" }, expected: .invalidURL, reason: "issuer with a query"),
        Row(change: { $0.discoveryURL = "http://issuer.example/config" }, expected: .invalidConfiguration, reason: "plain http discovery URL"),
        Row(change: { $0.clientID = "" }, expected: .invalidConfiguration, reason: "empty client id"),
        Row(change: { $0.clientSecret = "" }, expected: .invalidConfiguration, reason: "empty client secret"),
        Row(change: { $0.scopes = ["email", "profile"] }, expected: .invalidConfiguration, reason: "scopes without openid"),
        Row(change: { $0.scopes = ["openid", "openid"] }, expected: .invalidConfiguration, reason: "a repeated scope"),
        Row(change: { $0.scopes = ["openid", "a b"] }, expected: .invalidConfiguration, reason: "a scope with a space"),
        Row(change: { $0.allowedAlgorithms = [] }, expected: .invalidConfiguration, reason: "no algorithm at all"),
        Row(change: { $0.allowedAlgorithms = [.rs256, .hs256] }, expected: .invalidConfiguration, reason: "HMAC in the list instead of allow_hmac"),
        Row(change: { $0.allowHMAC = true; $0.clientSecret = "short" }, expected: .invalidConfiguration, reason: "HMAC with a secret shorter than HS512's key"),
        Row(change: { $0.trustedAudiences = [""] }, expected: .invalidConfiguration, reason: "an empty trusted audience"),
        Row(change: { $0.clockSkewSeconds = -1 }, expected: .invalidConfiguration, reason: "negative clock skew"),
        Row(change: { $0.clockSkewSeconds = 601 }, expected: .invalidConfiguration, reason: "clock skew over ten minutes"),
        Row(change: { $0.prompt = "none login" }, expected: .invalidConfiguration, reason: "prompt none combined with another value"),
        Row(change: { $0.prompt = "always" }, expected: .invalidConfiguration, reason: "an unknown prompt value"),
        Row(change: { $0.maxAge = -1 }, expected: .invalidConfiguration, reason: "negative max_age"),
        Row(change: { $0.acrValues = ["a b"] }, expected: .invalidConfiguration, reason: "an acr value with a space"),
        Row(change: { $0.extraAuthorizationParameters = [("state", "x")] }, expected: .invalidConfiguration, reason: "an extra parameter overriding state"),
        Row(change: { $0.caBundlePath = "" }, expected: .invalidConfiguration, reason: "an empty CA bundle path"),
        Row(change: { $0.jwksMinimumRefetchIntervalSeconds = 0 }, expected: .invalidConfiguration, reason: "no JWKS refetch interval: a kid flood would hammer the provider"),
        Row(change: { $0.discoveryRefreshSeconds = 10 }, expected: .invalidConfiguration, reason: "discovery refreshed every 10 seconds"),
    ]

    @Test("settings that are refused", arguments: rows)
    func refused(_ row: Row) {
        var settings = Fixture.settings
        row.change(&settings)
        #expect(errorCode { try settings.validate(plainHTTPAllowedForLoopback: false) } == row.expected, "\(row.reason)")
    }

    @Test("loopback http issuers pass when development allows them")
    func loopbackIssuer() throws {
        var settings = Fixture.settings
        settings.issuer = "http://127.0.0.1:9400"
        try settings.validate(plainHTTPAllowedForLoopback: true)
    }
}
