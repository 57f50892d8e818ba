import Testing
@testable import HTTP

/// `X-Forwarded-*` is believed only from trusted proxies; anyone else could claim any address.
@Suite struct ForwardedHeadersTests {
    let forwarding = ForwardedHeaders { address in
        (try? CIDR(parsing: "10.0.0.0/8").contains(address)) == true || address == "127.0.0.1"
    }

    func resolve(peer: String, _ headers: [(String, String)]) -> Request {
        var request = Request(method: "GET", target: "/", headers: HTTPHeaders([("Host", "internal:8080")] + headers))
        forwarding.apply(to: &request, peerAddress: peer)
        return request
    }

    @Test func untrustedPeerCannotClaimAnotherAddressSchemeOrHost() {
        let request = resolve(peer: "203.0.113.9", [
            ("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "login.example.com"),
        ])
        #expect(request.clientAddress == "203.0.113.9")
        #expect(request.scheme == "http")
        #expect(request.host == "internal:8080")
    }

    /// Review finding: the parser takes an absolute-form target's scheme in any case, but the
    /// authority was read only after a lowercase `http://`, and the routes never saw its path.
    @Test(arguments: ["http://app.example:8443/hello?x=1", "HTTP://app.example:8443/hello?x=1", "hTTpS://app.example:8443/hello?x=1"])
    func anAbsoluteFormTargetNamesTheHostAndThePath(_ target: String) {
        var request = Request(method: "GET", target: target, headers: HTTPHeaders([("Host", "internal:8080")]))
        ForwardedHeaders.trustNobody.apply(to: &request, peerAddress: "203.0.113.9")
        #expect(request.host == "app.example:8443")
        #expect(request.path == "/hello")
        #expect(request.rawQuery == "x=1")
        #expect(Request(method: "GET", target: "http://app.example").path == "/")
        #expect(Request(method: "GET", target: "http://app.example?q").path == "/")
        #expect(Request(method: "GET", target: "/plain?q").path == "/plain")
    }

    /// Review finding: a proxy that writes an IPv6 hop in brackets (with a port, as some do)
    /// stopped the walk, so every IPv6 client behind it took the proxy's address and shared one
    /// throttle and budget.
    @Test(arguments: ["[2001:db8::7]", "[2001:db8::7]:443"])
    func aBracketedIPv6HopIsTheClient(_ hop: String) {
        let request = resolve(peer: "10.0.0.1", [("X-Forwarded-For", hop)])
        #expect(request.clientAddress == "2001:db8::7")
    }

    @Test func trustedProxyIsBelieved() {
        let request = resolve(peer: "10.1.2.3", [
            ("X-Forwarded-For", "198.51.100.7"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "login.example.com"),
        ])
        #expect(request.clientAddress == "198.51.100.7")
        #expect(request.scheme == "https")
        #expect(request.host == "login.example.com")
        #expect(request.peerAddress == "10.1.2.3")
    }

    @Test func theNearestUntrustedHopIsTheClientNotASpoofedLeftmostOne() {
        // The client sent "X-Forwarded-For: 127.0.0.1" itself; our proxies appended the real hops.
        let request = resolve(peer: "10.0.0.1", [("X-Forwarded-For", "127.0.0.1, 198.51.100.7, 10.0.0.2")])
        #expect(request.clientAddress == "198.51.100.7")
    }

    @Test func anAbsoluteFormTargetsAuthorityWinsOverHost() {
        var request = Request(method: "GET", target: "http://login.example.com/x", headers: ["Host": "other"])
        forwarding.apply(to: &request, peerAddress: "203.0.113.9")
        #expect(request.host == "login.example.com")
    }

    @Test(arguments: [
        ("X-Forwarded-Proto", "gopher", "unknown scheme"),
        ("X-Forwarded-Host", "evil.example/path", "a path in the host"),
        ("X-Forwarded-Host", "evil.example\\@x", "a backslash in the host"),
        ("X-Forwarded-For", "not-an-address", "garbage instead of an address"),
    ])
    func malformedValuesFromATrustedProxyAreIgnored(name: String, value: String, reason: String) {
        let request = resolve(peer: "10.0.0.1", [(name, value)])
        #expect(request.scheme == "http", "\(reason)")
        #expect(request.host == "internal:8080", "\(reason)")
        #expect(request.clientAddress == "10.0.0.1", "\(reason)")
    }
}

@Suite struct SecurityHeadersTests {
    @Test func pagesGetCSPAndFrameDenialOthersOnlyTheBasics() {
        let headers = SecurityHeaders.forPublicURL(isHTTPS: true)
        var page = Response(headers: ["Content-Type": "text/html; charset=utf-8"])
        headers.apply(to: &page)
        #expect(page.headers["Content-Security-Policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(page.headers["X-Frame-Options"] == "DENY")
        #expect(page.headers["Strict-Transport-Security"] == "max-age=63072000")
        var json = Response(headers: ["Content-Type": "application/json"])
        SecurityHeaders.forPublicURL(isHTTPS: false).apply(to: &json)
        #expect(json.headers["X-Content-Type-Options"] == "nosniff")
        #expect(json.headers["Referrer-Policy"] == "same-origin")
        #expect(json.headers["Content-Security-Policy"] == nil)
        #expect(json.headers["Strict-Transport-Security"] == nil)
    }

    @Test func aHandlersOwnPolicyWins() {
        var page = Response(headers: ["Content-Type": "text/html", "Content-Security-Policy": "default-src 'none'"])
        SecurityHeaders().apply(to: &page)
        #expect(page.headers.values(of: "Content-Security-Policy") == ["default-src 'none'"])
    }
}

@Suite struct ResponseSerializerTests {
    func serialize(_ response: Response, method: String = "GET", keepAlive: Bool = true) -> String {
        var out: [UInt8] = []
        _ = ResponseSerializer.write(
            response, for: Request(method: method, target: "/"), keepAlive: keepAlive,
            date: "Sun, 06 Nov 1994 08:49:37 GMT", into: &out
        )
        return String(decoding: out, as: UTF8.self)
    }

    @Test func framingFieldsAreTheServersNotTheHandlers() {
        let text = serialize(Response(headers: ["Content-Length": "999", "Connection": "keep-alive"], body: Array("hi".utf8)), keepAlive: false)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
    }

    @Test func headerValuesWithLineBreaksAreDroppedNotSent() {
        let text = serialize(Response(status: .found, headers: ["Location": "/a\r\nSet-Cookie: evil=1", "X-Ok": "1"]))
        #expect(!text.contains("evil"))
        #expect(text.contains("X-Ok: 1\r\n"))
    }

    @Test func headAnd304CarryNoBody() {
        #expect(serialize(Response(body: Array("hello".utf8)), method: "HEAD").hasSuffix("Content-Length: 5\r\n\r\n"))
        let notModified = serialize(Response(status: .notModified, body: Array("x".utf8)))
        #expect(!notModified.contains("Content-Length"))
        #expect(notModified.hasSuffix("\r\n\r\n"))
    }
}
