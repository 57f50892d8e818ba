import Foundation
import Testing
@testable import Gatehouse

/// `forward_auth`: defaults, every key read, and each refusal with its JSON path.
@Suite("Forward-auth configuration")
struct ForwardAuthConfigTests {
    static func json(publicURL: String = "https://login.example.com", cookieDomain: String = "null", forwardAuth: String) -> String {
        """
        {"server": {"listen": "127.0.0.1:8080", "public_url": "\(publicURL)"},
         "sessions": {"cookie_domain": \(cookieDomain)},
         "forward_auth": \(forwardAuth)}
        """
    }

    static func parse(_ json: String, environment: [String: String] = [:]) -> Result<GatehouseConfig, ConfigErrors> {
        GatehouseConfig.parse(data: Data(json.utf8), environment: environment)
    }

    @Test func defaultsWhenTheSectionIsMissing() throws {
        let config = try Self.parse(#"{"server": {"listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080"}}"#).get()
        #expect(config.forwardAuth == ForwardAuthConfig(groupsClaim: "groups", protectedHosts: []))
    }

    @Test func everyKeyIsRead() throws {
        let config = try Self.parse(Self.json(cookieDomain: #""example.com""#, forwardAuth: """
            {"groups_claim": "roles", "protected_hosts": [
              {"url": "https://Wiki.Example.com:443/", "allowed_email_domains": ["Example.com"], "required_groups": ["staff", "wiki editors"]},
              {"url": "https://grafana.example.com:8443"}
            ]}
            """)).get()
        #expect(config.forwardAuth.groupsClaim == "roles")
        #expect(config.forwardAuth.protectedHosts == [
            .init(url: PublicURL(scheme: .https, host: "wiki.example.com", port: nil), allowedEmailDomains: ["example.com"], requiredGroups: ["staff", "wiki editors"]),
            .init(url: PublicURL(scheme: .https, host: "grafana.example.com", port: 8443)),
        ])
    }

    @Test func groupsClaimHasAnOverride() throws {
        let config = try Self.parse(Self.json(forwardAuth: "{}"), environment: ["GATEHOUSE_FORWARD_AUTH_GROUPS_CLAIM": "roles"]).get()
        #expect(config.forwardAuth.groupsClaim == "roles")
    }

    @Test func theSamePublicHostOnAnotherPortNeedsNoCookieDomain() throws {
        // Cookies ignore ports: a host-only cookie for 127.0.0.1 reaches 127.0.0.1:9000 too.
        let config = try Self.parse(Self.json(publicURL: "http://127.0.0.1:8080", forwardAuth: #"{"protected_hosts": [{"url": "http://127.0.0.1:9000"}]}"#)).get()
        #expect(config.forwardAuth.protectedHosts.map(\.url.origin) == ["http://127.0.0.1:9000"])
    }

    struct Refusal: CustomTestStringConvertible, Sendable {
        let reason: String
        let json: String
        let path: String
        let message: String
        var testDescription: String { reason }
    }

    static let refusals: [Refusal] = [
        .init(reason: "a path in the url", json: json(cookieDomain: #""example.com""#, forwardAuth: #"{"protected_hosts": [{"url": "https://app.example.com/app"}]}"#),
              path: "$.forward_auth.protected_hosts[0].url",
              message: #"must not have a path: Gatehouse is served at the root of its origin, found "https://app.example.com/app""#),
        .init(reason: "user info in the url", json: json(cookieDomain: #""example.com""#, forwardAuth: #"{"protected_hosts": [{"url": "https://me@app.example.com"}]}"#),
              path: "$.forward_auth.protected_hosts[0].url", message: #"must not contain user info, found "https://me@app.example.com""#),
        .init(reason: "url is required", json: json(forwardAuth: #"{"protected_hosts": [{"required_groups": ["a"]}]}"#),
              path: "$.forward_auth.protected_hosts[0].url", message: "required key is missing"),
        .init(reason: "unknown key in a host, with a suggestion", json: json(forwardAuth: #"{"protected_hosts": [{"url": "https://login.example.com", "required_group": []}]}"#),
              path: "$.forward_auth.protected_hosts[0].required_group", message: #"unknown key; did you mean "required_groups"?"#),
        .init(reason: "the same origin twice (default port written out)",
              json: json(forwardAuth: #"{"protected_hosts": [{"url": "https://login.example.com"}, {"url": "https://login.example.com:443"}]}"#),
              path: "$.forward_auth.protected_hosts[1].url", message: "https://login.example.com is listed more than once"),
        .init(reason: "protected_hosts is not an array", json: json(forwardAuth: #"{"protected_hosts": {"url": "https://login.example.com"}}"#),
              path: "$.forward_auth.protected_hosts", message: "expected an array of objects, found an object"),
        .init(reason: "an email domain written with @", json: json(forwardAuth: #"{"protected_hosts": [{"url": "https://login.example.com", "allowed_email_domains": ["@example.com"]}]}"#),
              path: "$.forward_auth.protected_hosts[0].allowed_email_domains[0]", message: #"expected a domain such as "example.com" (no @), found "@example.com""#),
        .init(reason: "a group with a comma could never match (the header is comma-joined)",
              json: json(forwardAuth: #"{"protected_hosts": [{"url": "https://login.example.com", "required_groups": ["a,b"]}]}"#),
              path: "$.forward_auth.protected_hosts[0].required_groups[0]", message: #"expected 1 to 255 bytes without commas or control characters, found "a,b""#),
        .init(reason: "an empty groups claim name", json: json(forwardAuth: #"{"groups_claim": ""}"#),
              path: "$.forward_auth.groups_claim", message: "must not be empty"),
        .init(reason: "another domain and no cookie_domain: the cookie never reaches it, sign-in would loop",
              json: json(forwardAuth: #"{"protected_hosts": [{"url": "https://app.example.com"}]}"#),
              path: "$.forward_auth.protected_hosts[0].url",
              message: "the session cookie never reaches app.example.com, so sign-in there would loop: set sessions.cookie_domain to a parent domain of both hosts, or serve it from the public_url host (login.example.com)"),
        .init(reason: "a host outside cookie_domain",
              json: json(cookieDomain: #""example.com""#, forwardAuth: #"{"protected_hosts": [{"url": "https://app.example.org"}]}"#),
              path: "$.forward_auth.protected_hosts[0].url",
              message: "the session cookie never reaches app.example.org, so sign-in there would loop: sessions.cookie_domain (example.com) is not a parent of it, or serve it from the public_url host (login.example.com)"),
        .init(reason: "a look-alike suffix is not under cookie_domain",
              json: json(cookieDomain: #""example.com""#, forwardAuth: #"{"protected_hosts": [{"url": "https://app.notexample.com"}]}"#),
              path: "$.forward_auth.protected_hosts[0].url",
              message: "the session cookie never reaches app.notexample.com, so sign-in there would loop: sessions.cookie_domain (example.com) is not a parent of it, or serve it from the public_url host (login.example.com)"),
        .init(reason: "plain http while the cookie is Secure",
              json: json(cookieDomain: #""example.com""#, forwardAuth: #"{"protected_hosts": [{"url": "http://app.example.com"}]}"#),
              path: "$.forward_auth.protected_hosts[0].url",
              message: "the session cookie is Secure (public_url is https), so the browser never sends it to http://app.example.com; protect it over https"),
    ]

    @Test(arguments: refusals)
    func refused(_ row: Refusal) {
        switch Self.parse(row.json) {
        case .success:
            Issue.record("accepted: \(row.reason)")
        case .failure(let errors):
            #expect(errors.problems.map(\.description) == ["\(row.path): \(row.message)"], "\(row.reason)")
        }
    }
}
