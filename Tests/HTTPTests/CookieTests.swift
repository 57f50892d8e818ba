import Testing
@testable import HTTP

@Suite struct CookieParsingTests {
    @Test(arguments: [
        ("a=1; b=2", ["a": "1", "b": "2"], "the usual form"),
        ("a=1;b=2", ["a": "1", "b": "2"], "no space after the semicolon"),
        ("  a = 1 ;  b=2  ", ["a": "1", "b": "2"], "extra spaces are tolerated"),
        ("a=1; a=2", ["a": "1"], "the first of a repeated name wins (most specific path)"),
        ("a=\"quoted\"", ["a": "quoted"], "DQUOTEs around a value are removed"),
        ("a=", ["a": ""], "an empty value is a value"),
        ("novalue; b=2", ["b": "2"], "a pair without = is skipped"),
        ("=1; b=2", ["b": "2"], "an empty name is skipped"),
        ("a b=1; c=2", ["c": "2"], "a name that is not a token is skipped"),
        ("a=x,y; c=2", ["c": "2"], "a comma is not a cookie-octet"),
        ("a=\"; c=2", ["c": "2"], "a lone DQUOTE is skipped"),
        ("a=b=c", ["a": "b=c"], "the value may contain ="),
        (";;;", [:], "only separators"),
        ("", [:], "empty header"),
    ])
    func parses(header: String, expected: [String: String], reason: String) {
        #expect(CookieParser.parse([header]) == expected, "\(reason)")
        // The one-cookie read follows the same rules for every name, present or not.
        for name in ["a", "b", "c", ""] {
            #expect(CookieParser.value(named: name, in: [header]) == expected[name], "\(reason): cookie \(name)")
        }
    }

    @Test func requestCookiesReadEveryCookieHeader() {
        let request = Request(method: "GET", target: "/", headers: HTTPHeaders([("Cookie", "a=1"), ("cookie", "b=2; a=3")]))
        #expect(request.cookies == ["a": "1", "b": "2"])
        #expect(request.cookie(named: "a") == "1", "the first Cookie header's value wins")
        #expect(request.cookie(named: "b") == "2")
        #expect(request.cookie(named: "c") == nil)
    }
}

@Suite struct SetCookieTests {
    @Test func rendersEveryAttribute() throws {
        let cookie = try SetCookie(
            name: "sid", value: "abc123", expires: 784_111_777, maxAge: 3600, domain: "example.com",
            path: "/app", secure: true, httpOnly: true, sameSite: .strict, partitioned: true
        )
        #expect(try cookie.headerValue()
            == "sid=abc123; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=3600; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict; Partitioned")
    }

    @Test func minimalCookieOmitsAttributes() throws {
        let cookie = try SetCookie(name: "theme", value: "dark", secure: false, httpOnly: false, sameSite: nil)
        #expect(try cookie.headerValue() == "theme=dark")
    }

    @Test func defaultsAreSafe() throws {
        #expect(try SetCookie(name: "a", value: "b").headerValue() == "a=b; Secure; HttpOnly; SameSite=Lax")
    }

    @Test func sameSiteValues() throws {
        var cookie = try SetCookie(name: "a", value: "b", httpOnly: false, sameSite: .lax)
        #expect(try cookie.headerValue() == "a=b; Secure; SameSite=Lax")
        cookie.sameSite = SetCookie.SameSite.none
        #expect(try cookie.headerValue() == "a=b; Secure; SameSite=None")
    }

    @Test func negativeMaxAgeRendersAsZero() throws {
        let cookie = try SetCookie(name: "a", value: "b", maxAge: -5, httpOnly: false, sameSite: nil)
        #expect(try cookie.headerValue() == "a=b; Max-Age=0; Secure")
    }

    @Test func removalExpiresNow() throws {
        #expect(try SetCookie.removal(name: "__Host-sid").headerValue()
            == "__Host-sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax")
    }

    @Test(arguments: [
        ("", "empty"),
        ("a b", "space"),
        ("a;b", "semicolon"),
        ("a=b", "equals"),
        ("a,b", "comma"),
        ("a\"b", "DQUOTE"),
        ("a\r\nSet-Cookie: x", "CRLF header injection"),
        ("ä", "non-ASCII"),
        ("a(b)", "separators"),
    ])
    func invalidNamesAreRefused(name: String, reason: String) {
        #expect(throws: CookieError.self, "\(reason)") { try SetCookie(name: name, value: "v") }
        do { _ = try SetCookie(name: name, value: "v") } catch { #expect(error.code == .invalidName, "\(reason)") }
    }

    @Test(arguments: [
        ("a b", "space"),
        ("a;b", "semicolon ends the pair"),
        ("a,b", "comma"),
        ("a\\b", "backslash"),
        ("\"a\"", "DQUOTE"),
        ("a\nb", "newline"),
        ("é", "non-ASCII"),
    ])
    func invalidValuesAreRefused(value: String, reason: String) {
        do {
            _ = try SetCookie(name: "a", value: value)
            Issue.record("expected invalidValue: \(reason)")
        } catch {
            #expect(error.code == .invalidValue, "\(reason)")
            #expect(!error.description.contains(value), "the error never carries the value")
        }
    }

    @Test func attributeInjectionIsRefused() throws {
        var cookie = try SetCookie(name: "a", value: "b", path: "/; Domain=evil.example")
        #expect(throws: CookieError.self) { try cookie.headerValue() }
        cookie.path = "/"
        cookie.domain = "example.com\r\nX: y"
        #expect(throws: CookieError.self) { try cookie.headerValue() }
    }

    struct PrefixCase: Sendable {
        let name: String
        let secure: Bool
        let path: String?
        let domain: String?
        let allowed: Bool
        let reason: String
    }

    @Test(arguments: [
        PrefixCase(name: "__Host-sid", secure: true, path: "/", domain: nil, allowed: true, reason: "all three rules kept"),
        PrefixCase(name: "__Host-sid", secure: false, path: "/", domain: nil, allowed: false, reason: "__Host- needs Secure"),
        PrefixCase(name: "__Host-sid", secure: true, path: "/app", domain: nil, allowed: false, reason: "__Host- needs Path=/"),
        PrefixCase(name: "__Host-sid", secure: true, path: nil, domain: nil, allowed: false, reason: "__Host- needs an explicit Path=/"),
        PrefixCase(name: "__Host-sid", secure: true, path: "/", domain: "example.com", allowed: false, reason: "__Host- forbids Domain"),
        PrefixCase(name: "__host-sid", secure: false, path: "/", domain: nil, allowed: false, reason: "the prefix is case-insensitive"),
        PrefixCase(name: "__Secure-x", secure: true, path: "/app", domain: "example.com", allowed: true, reason: "__Secure- only needs Secure"),
        PrefixCase(name: "__Secure-x", secure: false, path: "/", domain: nil, allowed: false, reason: "__Secure- needs Secure"),
        PrefixCase(name: "plain", secure: false, path: "/", domain: nil, allowed: true, reason: "no prefix, no rule"),
    ])
    func prefixRules(_ row: PrefixCase) throws {
        let cookie = try SetCookie(
            name: row.name, value: "v", domain: row.domain, path: row.path, secure: row.secure, sameSite: .lax
        )
        if row.allowed {
            #expect(throws: Never.self, "\(row.reason)") { try cookie.headerValue() }
        } else {
            do {
                _ = try cookie.headerValue()
                Issue.record("expected a prefix violation: \(row.reason)")
            } catch {
                #expect(error.code == .prefixViolation, "\(row.reason)")
            }
        }
    }

    @Test func sameSiteNoneAndPartitionedNeedSecure() throws {
        let none = try SetCookie(name: "a", value: "b", secure: false, sameSite: SetCookie.SameSite.none)
        let partitioned = try SetCookie(name: "a", value: "b", secure: false, sameSite: nil, partitioned: true)
        for cookie in [none, partitioned] {
            do {
                _ = try cookie.headerValue()
                Issue.record("expected requiresSecure")
            } catch {
                #expect(error.code == .requiresSecure)
            }
        }
    }

    @Test func responseSetCookieAddsHeaders() throws {
        var response = Response()
        try response.setCookie(SetCookie(name: "a", value: "1"))
        try response.setCookie(SetCookie(name: "b", value: "2"))
        #expect(response.headers.values(of: "Set-Cookie").count == 2)
    }
}
