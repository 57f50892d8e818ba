import Testing
@testable import OIDC

@Suite("Endpoint and issuer URLs")
struct EndpointURLTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let url: String
        let accepted: Bool
        let reason: String
        var testDescription: String { reason }
    }

    /// With plain http allowed for loopback, as in development.
    static let rows: [Row] = [
        Row(url: "https://login.example.com/authorize", accepted: true, reason: "https with a path"),
        Row(url: "https://login.example.com:8443/a?b=c", accepted: true, reason: "https with port and query"),
        Row(url: "HTTPS://login.example.com/", accepted: true, reason: "the scheme is case-insensitive"),
        Row(url: "http://localhost:9000/token", accepted: true, reason: "http on localhost"),
        Row(url: "http://127.0.0.1:9000/token", accepted: true, reason: "http on 127.0.0.1"),
        Row(url: "http://127.45.6.7/token", accepted: true, reason: "http anywhere in 127.0.0.0/8"),
        Row(url: "http://[::1]:9000/token", accepted: true, reason: "http on IPv6 loopback"),
        Row(url: "https://[2001:db8::1]/token", accepted: true, reason: "https on an IPv6 address"),
        Row(url: "http://login.example.com/token", accepted: false, reason: "plain http on a public host"),
        Row(url: "http://10.0.0.1/token", accepted: false, reason: "plain http on a private, non-loopback address"),
        Row(url: "http://localhost.evil.example/token", accepted: false, reason: "localhost as a prefix of another name is not loopback"),
        Row(url: "http://127.0.0.1.evil.example/", accepted: false, reason: "a loopback address as a label of another name"),
        Row(url: "http://127.1/", accepted: false, reason: "shortened IPv4 forms are refused, not interpreted"),
        Row(url: "http://0x7f.0.0.1/", accepted: false, reason: "hex IPv4 forms are refused"),
        Row(url: "http://0177.0.0.1/", accepted: false, reason: "octal-looking IPv4 forms are refused"),
        Row(url: "https://127.1/", accepted: false, reason: "shortened IPv4 forms are refused even on https"),
        Row(url: "https://0x7f000001/", accepted: false, reason: "a hex integer host is refused even on https"),
        Row(url: "https://1.2.3.04/", accepted: false, reason: "an IPv4 octet with a leading zero"),
        Row(url: "https://1.2.3.256/", accepted: false, reason: "an IPv4 octet over 255"),
        Row(url: "http://[::2]/", accepted: false, reason: "an IPv6 address other than ::1 is not loopback"),
        Row(url: "https://user:pass@login.example.com/", accepted: false, reason: "user info"),
        Row(url: "https://login.example.com@evil.example/", accepted: false, reason: "user info that makes the real host look like another"),
        Row(url: "https://login.example.com/a#frag", accepted: false, reason: "a fragment (RFC 6749 section 3.1)"),
        Row(url: "ftp://login.example.com/", accepted: false, reason: "another scheme"),
        Row(url: "//login.example.com/", accepted: false, reason: "scheme-relative"),
        Row(url: "/authorize", accepted: false, reason: "relative"),
        Row(url: "https:///path", accepted: false, reason: "no host"),
        Row(url: "https://login.example.com:0/", accepted: false, reason: "port 0"),
        Row(url: "https://login.example.com:65536/", accepted: false, reason: "port out of range"),
        Row(url: "https://login.example.com:/", accepted: false, reason: "empty port"),
        Row(url: "https://login example.com/", accepted: false, reason: "whitespace"),
        Row(url: "https://login.example.com/\u{7}", accepted: false, reason: "a control character"),
        Row(url: "https://lögin.example.com/", accepted: false, reason: "raw non-ASCII (IDNs go in xn-- form)"),
        Row(url: "https://login.example.com\\@evil.example/", accepted: false, reason: "a backslash"),
        Row(url: "https://login.example.com/%zz", accepted: false, reason: "a malformed percent-escape"),
        Row(url: "https://-bad.example.com/", accepted: false, reason: "a label starting with a hyphen"),
        Row(url: "", accepted: false, reason: "empty"),
    ]

    @Test("endpoint URLs", arguments: rows)
    func endpoint(_ row: Row) {
        let code = errorCode { try EndpointURL.parse(row.url, plainHTTPAllowedForLoopback: true) }
        #expect(code == (row.accepted ? nil : .invalidURL), "\(row.reason)")
    }

    @Test("user info is refused as such, whatever else is wrong with the authority", arguments: [
        "https://user:pass@login.example.com/", "https://login.example.com@evil.example/", "https://@login.example.com/",
    ])
    func userInfo(_ url: String) {
        do {
            _ = try EndpointURL.parse(url, plainHTTPAllowedForLoopback: false)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.code == .invalidURL)
            #expect(error.message == "URL contains user info")
        }
    }

    @Test("plain http on loopback is refused unless the caller allows it")
    func loopbackNeedsPermission() throws {
        #expect(errorCode { try EndpointURL.parse("http://127.0.0.1:9000/", plainHTTPAllowedForLoopback: false) } == .invalidURL)
        #expect(errorCode { try EndpointURL.parse("http://localhost/", plainHTTPAllowedForLoopback: false) } == .invalidURL)
        let url = try EndpointURL.parse("http://127.0.0.1:9000/x?y=1", plainHTTPAllowedForLoopback: true)
        #expect(url.isLoopback)
        #expect(url.scheme == .http)
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 9000)
        #expect(url.path == "/x")
        #expect(url.query == "y=1")
    }

    @Test("issuers may have a path but no query and no fragment", arguments: [
        ("https://issuer.example", true, "bare origin"),
        ("https://issuer.example/tenant/v2.0", true, "a path, as multi-tenant providers use"),
        ("https://issuer.example/?tenant=a", false, "a query"),
        ("https://issuer.example?", false, "an empty query is still a query"),
        ("https://issuer.example/#x", false, "a fragment"),
        ("http://issuer.example", false, "plain http off loopback"),
    ])
    func issuer(_ url: String, _ accepted: Bool, _ reason: String) {
        let code = errorCode { try IssuerURLPolicy.check(url, plainHTTPAllowedForLoopback: true) }
        #expect(code == (accepted ? nil : .invalidURL), "\(reason)")
    }
}
