import Foundation
import HTTP
import Logging
import Store
import Testing
@testable import Gatehouse

/// `GET /auth/verify` through the app's own responder and forwarding rules (as the server
/// applies them), with sessions made by the real SessionManager in a real SQLite file.
@Suite("Forward-auth /auth/verify")
final class ForwardAuthEndpointTests {
    static let proxy = "10.0.0.1"
    static let stranger = "203.0.113.9"

    let directory: URL
    let database: Database
    let app: GatehouseApp
    let clock = TestClock(1_800_000_000)

    init() throws {
        directory = try temporaryDirectory()
        database = try migratedDatabase(in: directory)
        let config = try testConfig(
            publicURL: "https://login.example.com", databasePath: database.path,
            extra: #", "trusted_proxies": ["10.0.0.1"]"#,
            sections: #"""
                , "sessions": {"cookie_domain": "example.com"},
                "forward_auth": {"protected_hosts": [
                  {"url": "https://app.example.com"},
                  {"url": "https://wiki.example.com", "allowed_email_domains": ["example.com"], "required_groups": ["staff"]},
                  {"url": "https://ops.example.com", "required_groups": ["staff", "ops"]},
                  {"url": "https://mail.example.com", "remote_user": "email"},
                  {"url": "https://ids.example.com", "remote_user": "id"}
                ]}
                """#
        )
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        app = try GatehouseApp(config: config, database: database, logger: logger, clock: clock.function)
    }

    deinit {
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A user and a signed-in session of theirs; returns the cookie header value and the user id.
    /// With `verified`, an operator set both the username and the email (as `users create
    /// --email-verified` does); without it, neither is verified (say, a provider's untrusted claims).
    func signIn(
        username: String = "alice", email: String? = "alice@example.com", groups: [String] = ["staff"], verified: Bool = true
    ) throws -> (cookie: String, userID: Int64) {
        let user = try database.write {
            try UserRepository($0).create(
                username: username, email: email, emailVerifiedBy: verified ? .administrator : nil, usernameVerifiedBy: verified ? .administrator : nil,
                displayName: nil, now: clock.now
            )
        }
        let started = try app.sessions.start(
            userID: user.id, provider: "dev", groups: groups, request: Request(method: "GET", target: "/"), now: clock.now
        )
        return ("\(app.sessions.settings.cookieName)=\(started.session.token.cookieValue)", user.id)
    }

    /// `/auth/verify` as a proxy at `peer` would send it for a browser at `host`.
    func verify(
        _ target: String = "/auth/verify", cookie: String?, peer: String = proxy, host: String = "app.example.com",
        uri: String = "/docs?a=1", extraHeaders: [(String, String)] = []
    ) -> Response {
        var headers: [(String, String)] = [("Host", "127.0.0.1:8080"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", host), ("X-Forwarded-Uri", uri)]
        if let cookie { headers.append(("Cookie", cookie)) }
        var request = Request(method: "GET", target: target, headers: HTTPHeaders(headers + extraHeaders))
        app.serverConfiguration.forwarding.apply(to: &request, peerAddress: peer)
        return app.responder.respond(to: request)
    }

    @Test func aValidSessionGets200WithTheIdentityHeaders() throws {
        let (cookie, _) = try signIn(groups: ["staff", "ops"])
        let response = verify(cookie: cookie)
        #expect(response.status == .ok)
        #expect(response.headers["X-Auth-Request-User"] == "alice")
        #expect(response.headers["X-Auth-Request-Preferred-Username"] == "alice")
        #expect(response.headers["X-Auth-Request-Email"] == "alice@example.com")
        #expect(response.headers["X-Auth-Request-Groups"] == "staff,ops")
        #expect(response.headers["Remote-User"] == "alice")
        #expect(response.headers["Remote-Email"] == "alice@example.com")
        #expect(response.headers["Cache-Control"] == "no-store")
        #expect(response.body.isEmpty)
    }

    /// Sent empty rather than left out: a proxy that copies a header Gatehouse leaves out may
    /// hand the application something else (Caddy 2.6 its placeholder text, some later releases
    /// the client's own header; see the README's Caddy section).
    @Test func noEmailAndNoGroupsAreSentEmpty() throws {
        let (cookie, _) = try signIn(email: nil, groups: [])
        let response = verify(cookie: cookie)
        #expect(response.status == .ok)
        #expect(response.headers["X-Auth-Request-Email"] == "")
        #expect(response.headers["Remote-Email"] == "")
        #expect(response.headers["X-Auth-Request-Groups"] == "")
    }

    /// Issue 11 section 2: with default provider settings, a person who signed in with an
    /// unverified `ceo@corp.example` passed a host restricted to `corp.example`, and the
    /// application received that address as identity; an untrusted `preferred_username: root`
    /// became `Remote-User: root`.
    @Test func unverifiedIdentityNeverReachesAnApplication() throws {
        let (cookie, userID) = try signIn(username: "root", email: "alice@example.com", groups: ["staff"], verified: false)
        #expect(verify(cookie: cookie, host: "wiki.example.com").status == .forbidden, "an unverified email satisfies no allow-list")
        let response = verify(cookie: cookie)
        #expect(response.status == .ok)
        #expect(response.headers["X-Auth-Request-Email"] == "")
        #expect(response.headers["Remote-Email"] == "")
        #expect(response.headers["Remote-User"] == "user:\(userID)", "the stable id, never the untrusted name")
        #expect(response.headers["X-Auth-Request-User"] == "user:\(userID)")
        #expect(response.headers["X-Auth-Request-Preferred-Username"] == "")
    }

    @Test("each protected host chooses what Remote-User carries, verified or the stable id")
    func remoteUserPerHost() throws {
        let (verifiedCookie, verifiedID) = try signIn()
        #expect(verify(cookie: verifiedCookie, host: "mail.example.com").headers["Remote-User"] == "alice@example.com")
        #expect(verify(cookie: verifiedCookie, host: "ids.example.com").headers["Remote-User"] == "user:\(verifiedID)")
        #expect(verify(cookie: verifiedCookie, host: "app.example.com").headers["Remote-User"] == "alice")
        let (cookie, userID) = try signIn(username: "bob", email: "bob@example.com", verified: false)
        #expect(verify(cookie: cookie, host: "mail.example.com").headers["Remote-User"] == "user:\(userID)")
    }

    @Test func noSessionGets401() {
        #expect(verify(cookie: nil).status == .unauthorized)
        #expect(verify(cookie: "__Secure-gatehouse_session=not-a-token").status == .unauthorized, "malformed: no lookup, 401")
        let unknown = String(repeating: "A", count: 43)
        #expect(verify(cookie: "__Secure-gatehouse_session=\(unknown)").status == .unauthorized, "well-formed but unknown")
    }

    @Test func rdRedirectsToSignInWithTheOriginalURLFromATrustedProxy() {
        let response = verify("/auth/verify?rd=1", cookie: nil)
        #expect(response.status == .found)
        #expect(response.headers["Location"] == "https://login.example.com/login?next=https%3A%2F%2Fapp.example.com%2Fdocs%3Fa%3D1")
    }

    @Test("rd=1 from a peer that is not a trusted proxy: the forwarded headers are ignored, no next")
    func untrustedPeerGetsNoNext() {
        let response = verify("/auth/verify?rd=1", cookie: nil, peer: Self.stranger)
        #expect(response.status == .found)
        #expect(response.headers["Location"] == "https://login.example.com/login")
    }

    @Test("rd=1 for a host that is not protected: no next, so no open redirect")
    func unprotectedHostGetsNoNext() {
        let response = verify("/auth/verify?rd=1", cookie: nil, host: "evil.example")
        #expect(response.headers["Location"] == "https://login.example.com/login")
        let lookalike = verify("/auth/verify?rd=1", cookie: nil, host: "app.example.com.evil.example")
        #expect(lookalike.headers["Location"] == "https://login.example.com/login")
    }

    @Test("hostile forwarded values never make a next", arguments: [
        ("app.example.com", "//evil.example/", "https://login.example.com/login?next=https%3A%2F%2Fapp.example.com%2F%2Fevil.example%2F"),  // a path on the app host: harmless
        ("app.example.com", "https://evil.example/", "https://login.example.com/login"),  // not a path
        ("app.example.com", "/a\\b", "https://login.example.com/login"),  // backslash
        ("app.example.com", "/é", "https://login.example.com/login"),  // raw non-ASCII
        ("app.example.com@evil.example", "/", "https://login.example.com/login"),  // user-info trick: not a valid forwarded host, Host is used
        ("app.example.com:8443", "/", "https://login.example.com/login"),  // another port is another origin
    ])
    func hostileForwardedValues(host: String, uri: String, location: String) {
        let response = verify("/auth/verify?rd=1", cookie: nil, host: host, uri: uri)
        #expect(response.status == .found)
        #expect(response.headers["Location"] == location)
    }

    @Test("control characters in stored identity values never reach a header")
    func headerInjection() throws {
        let (cookie, userID) = try signIn(username: "mallory", email: "m@example.com")
        _ = try database.write {
            try $0.execute("UPDATE users SET username = ?, email = ? WHERE id = ?", [
                .text("mallory\r\nSet-Cookie: stolen=1"), .text("m@example.com\r\nX-Evil: 1"), .integer(userID),
            ])
        }
        _ = try database.write { try $0.execute("UPDATE sessions SET groups = ?", [.text("staff\nops\r\nX-Evil: 2")]) }
        let response = verify(cookie: cookie)
        #expect(response.status == .ok)
        for field in response.headers {
            #expect(!field.value.utf8.contains { $0 == 0x0D || $0 == 0x0A }, "\(field.name)")
        }
        #expect(response.headers["X-Auth-Request-User"] == "mallorySet-Cookie: stolen=1")
        #expect(response.headers["X-Auth-Request-Groups"] == "staff,ops,X-Evil: 2")
        #expect(!response.headers.contains("Set-Cookie"))
    }

    @Test func anEmailDomainNotAllowedGets403() throws {
        let (cookie, _) = try signIn(email: "alice@example.org", groups: ["staff"])
        #expect(verify(cookie: cookie, host: "wiki.example.com").status == .forbidden)
        #expect(verify(cookie: cookie, host: "app.example.com").status == .ok, "the app host has no rules")
    }

    @Test func aSubdomainOfAnAllowedDomainIsNotAllowed() throws {
        let (cookie, _) = try signIn(email: "alice@eu.example.com", groups: ["staff"])
        #expect(verify(cookie: cookie, host: "wiki.example.com").status == .forbidden)
    }

    @Test func theEmailDomainComparesCaseInsensitively() throws {
        let (cookie, _) = try signIn(email: "Alice@EXAMPLE.com", groups: ["staff"])
        #expect(verify(cookie: cookie, host: "wiki.example.com").status == .ok)
    }

    @Test func noEmailFailsADomainRule() throws {
        let (cookie, _) = try signIn(email: nil, groups: ["staff"])
        #expect(verify(cookie: cookie, host: "wiki.example.com").status == .forbidden)
    }

    @Test func aMissingGroupGets403() throws {
        let (cookie, _) = try signIn(groups: ["staff"])
        #expect(verify(cookie: cookie, host: "wiki.example.com").status == .ok)
        let response = verify(cookie: cookie, host: "ops.example.com")
        #expect(response.status == .forbidden, "every required group is needed")
        #expect(String(decoding: response.body, as: UTF8.self).contains("\"ops\""))
    }

    @Test func rulesFollowTheForwardedHostOnlyFromATrustedProxy() throws {
        // From a stranger X-Forwarded-Host/-Proto are ignored: its own Host (http://127.0.0.1:8080) counts.
        let (cookie, _) = try signIn(email: "alice@example.org", groups: [])
        #expect(verify(cookie: cookie, peer: Self.proxy, host: "app.example.com").status == .ok)
        #expect(verify(cookie: cookie, peer: Self.stranger, host: "app.example.com").status == .forbidden)
        #expect(verify(cookie: cookie, peer: Self.proxy, host: "wiki.example.com").status == .forbidden)
    }

    @Test("fail closed: with protected hosts configured, any other host is refused")
    func anUnlistedHostGets403() throws {
        let (cookie, _) = try signIn()
        let response = verify(cookie: cookie, host: "unlisted.example.com")
        #expect(response.status == .forbidden)
        #expect(response.headers["X-Auth-Request-User"] == nil)
        #expect(verify(cookie: cookie, host: "app.example.com.evil.example").status == .forbidden)
        #expect(verify(cookie: cookie, host: "APP.example.com:443").status == .ok, "case and the default port do not make another host")
    }

    @Test("with no protected hosts configured, any host gets the session check alone")
    func noProtectedHostsMeansSessionCheckOnly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try migratedDatabase(in: directory)
        defer { database.close() }
        let config = try testConfig(publicURL: "https://login.example.com", databasePath: database.path)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let plain = try GatehouseApp(config: config, database: database, logger: logger, clock: clock.function)
        let user = try database.write {
            try UserRepository($0).create(username: "carol", email: nil, usernameVerifiedBy: .administrator, displayName: nil, now: clock.now)
        }
        let started = try plain.sessions.start(userID: user.id, provider: nil, request: Request(method: "GET", target: "/"), now: clock.now)
        var request = Request(method: "GET", target: "/auth/verify?rd=1", headers: HTTPHeaders([
            ("Host", "anything.example"), ("Cookie", "\(plain.sessions.settings.cookieName)=\(started.session.token.cookieValue)"),
        ]))
        plain.serverConfiguration.forwarding.apply(to: &request, peerAddress: "127.0.0.1")
        let response = plain.responder.respond(to: request)
        #expect(response.status == .ok)
        #expect(response.headers["X-Auth-Request-User"] == "carol")
    }

    @Test func aRevokedSessionGets401AtOnce() throws {
        let (cookie, userID) = try signIn()
        #expect(verify(cookie: cookie).status == .ok)
        try app.sessions.revokeAll(userID: userID, now: clock.now)
        #expect(verify(cookie: cookie).status == .unauthorized)
    }

    @Test func anExpiredSessionGets401() throws {
        let (cookie, _) = try signIn()
        clock.advance(by: Int64(app.config.sessions.idleTimeoutSeconds))
        #expect(verify(cookie: cookie).status == .unauthorized)
    }

    @Test func anInactiveUserGets401() throws {
        let (cookie, userID) = try signIn()
        _ = try database.write { try $0.execute("UPDATE users SET active = 0 WHERE id = ?", [.integer(userID)]) }
        #expect(verify(cookie: cookie).status == .unauthorized)
    }

    @Test("use through forward-auth keeps the session alive, with one write per touch interval")
    func touchInterval() throws {
        let (cookie, _) = try signIn()
        func lastSeen() throws -> Int64 {
            try database.read { try $0.queryOne("SELECT last_seen_at FROM sessions")?.int64("last_seen_at") ?? 0 }
        }
        let start = clock.now
        clock.advance(by: 30)
        #expect(verify(cookie: cookie).status == .ok)
        #expect(try lastSeen() == start, "within the interval: no write")
        clock.advance(by: 30)
        #expect(verify(cookie: cookie).status == .ok)
        #expect(try lastSeen() == start + 60, "the interval has passed: touched")
        // Busy every few hours for longer than the idle timeout: still signed in.
        for _ in 0..<4 {
            clock.advance(by: Int64(app.config.sessions.idleTimeoutSeconds) - 60)
            #expect(verify(cookie: cookie).status == .ok)
        }
    }
}
