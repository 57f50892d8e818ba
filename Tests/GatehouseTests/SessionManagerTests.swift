import Crypto
import Foundation
import HTTP
import Store
import Testing
@testable import Gatehouse

/// Sessions against a real SQLite file: lifetimes, rotation, revocation, and what is stored.
@Suite struct SessionManagerTests {
    let now: Int64 = 1_700_000_000

    func manager(_ database: Database, secure: Bool = false, domain: String? = nil) -> SessionManager {
        let name = secure ? (domain == nil ? "__Host-gatehouse_session" : "__Secure-gatehouse_session") : "gatehouse_session"
        return SessionManager(
            database: database,
            settings: SessionSettings(idleLifetime: 3600, absoluteLifetime: 86400, cookieName: name, cookieDomain: domain, secure: secure)
        )
    }

    func request(cookie: String? = nil) -> Request {
        var request = Request(method: "GET", target: "/")
        if let cookie { request.headers.add("Cookie", cookie) }
        request.clientAddress = "127.0.0.1"
        return request
    }

    func withDatabase(_ body: (Database) throws -> Void) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try migratedDatabase(in: directory)
        defer { database.close() }
        try body(database)
    }

    @Test func startedSessionIsFoundByItsCookie() throws {
        try withDatabase { database in
            let sessions = manager(database)
            let started = try sessions.start(userID: nil, provider: nil, request: request(), now: now)
            let header = try started.cookie.headerValue()
            let found = try sessions.current(request(cookie: "gatehouse_session=\(started.session.token.cookieValue)"), now: now + 10)
            #expect(found?.record.id == started.session.record.id)
            #expect(header.contains("HttpOnly"))
            #expect(header.contains("SameSite=Lax"))
            #expect(!header.contains("Secure"))
        }
    }

    @Test func httpsSessionsUseTheHostPrefixAndSecure() throws {
        try withDatabase { database in
            let header = try manager(database, secure: true).start(userID: nil, provider: nil, request: request(), now: now)
                .cookie.headerValue()
            #expect(header.hasPrefix("__Host-gatehouse_session="))
            #expect(header.contains("; Secure"))
            #expect(header.contains("Path=/"))
            #expect(!header.contains("Domain="))
            let parent = try manager(database, secure: true, domain: "example.com")
                .start(userID: nil, provider: nil, request: request(), now: now).cookie.headerValue()
            #expect(parent.hasPrefix("__Secure-gatehouse_session="))
            #expect(parent.contains("Domain=example.com"))
        }
    }

    @Test func theDatabaseHoldsOnlyTheHashOfTheCookie() throws {
        try withDatabase { database in
            let started = try manager(database).start(userID: nil, provider: nil, request: request(), now: now)
            let stored = try database.read { try $0.query("SELECT token_hash FROM sessions") }.map { try $0.blob("token_hash") }
            #expect(stored == [Digest.sha256(started.session.token.bytes)])
            #expect(!stored.contains(started.session.token.bytes))
            let raw = try Data(contentsOf: URL(fileURLWithPath: database.path))
            #expect(raw.range(of: Data(started.session.token.cookieValue.utf8)) == nil)
        }
    }

    @Test func signInRotatesTheSessionIdAndRevokesTheOldOne() throws {
        try withDatabase { database in
            let sessions = manager(database)
            let anonymous = try sessions.start(userID: nil, provider: nil, request: request(), now: now)
            let oldCookie = "gatehouse_session=\(anonymous.session.token.cookieValue)"
            let user = try database.write { try UserRepository($0).create(username: "ada", email: nil, displayName: nil, now: now) }
            let signedIn = try sessions.start(userID: user.id, provider: "dev", request: request(cookie: oldCookie), now: now + 5)
            #expect(signedIn.session.token != anonymous.session.token)
            #expect(try sessions.current(request(cookie: oldCookie), now: now + 6) == nil)
            let current = try sessions.current(request(cookie: "gatehouse_session=\(signedIn.session.token.cookieValue)"), now: now + 6)
            #expect(current?.record.userID == user.id)
            #expect(current?.record.authenticatedAt == now + 5)
        }
    }

    @Test func idleAndAbsoluteLifetimesEndASession() throws {
        try withDatabase { database in
            let sessions = manager(database)
            let started = try sessions.start(userID: nil, provider: nil, request: request(), now: now)
            let cookie = request(cookie: "gatehouse_session=\(started.session.token.cookieValue)")
            #expect(try sessions.current(cookie, now: now + 3599) != nil)  // touched: idle expiry moves on
            #expect(try sessions.current(cookie, now: now + 3599 + 3599) != nil)
            #expect(try sessions.current(cookie, now: now + 3599 + 3599 + 3600) == nil)  // idle for an hour
            let busy = try sessions.start(userID: nil, provider: nil, request: request(), now: now)
            let busyCookie = request(cookie: "gatehouse_session=\(busy.session.token.cookieValue)")
            var instant = now
            while instant < now + 86400 - 1800 {
                instant += 1800
                #expect(try sessions.current(busyCookie, now: instant) != nil)
            }
            #expect(try sessions.current(busyCookie, now: now + 86400) == nil)  // absolute lifetime, however busy
        }
    }

    @Test func signOutRevokesAtOnce() throws {
        try withDatabase { database in
            let sessions = manager(database)
            let started = try sessions.start(userID: nil, provider: nil, request: request(), now: now)
            let cookie = request(cookie: "gatehouse_session=\(started.session.token.cookieValue)")
            let removal = try sessions.end(cookie, now: now + 1).headerValue()
            #expect(removal.contains("Max-Age=0"))
            #expect(try sessions.current(cookie, now: now + 2) == nil)
        }
    }

    @Test(arguments: [
        ("gatehouse_session=", "empty value"),
        ("gatehouse_session=abc", "too short"),
        ("gatehouse_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "padding is not base64url"),
        ("gatehouse_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", "standard base64 alphabet"),
        ("gatehouse_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "well-formed but unknown"),
        ("other=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "another cookie's name"),
    ])
    func malformedOrUnknownCookiesAreNoSession(cookie: String, reason: String) throws {
        try withDatabase { database in
            let found = try manager(database).current(request(cookie: cookie), now: now)
            #expect(found == nil, "\(reason)")
        }
    }
}
