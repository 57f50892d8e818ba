import Foundation
import HTTP
import Store
import Testing
@testable import Gatehouse

/// The forward-auth session cache: what it keeps, and that nothing written through the server
/// is ever answered from it, against a real SQLite file.
@Suite struct ForwardAuthSessionCacheTests {
    let now: Int64 = 1_700_000_000

    static func session(_ username: String) -> ForwardAuthSession {
        ForwardAuthSession(userID: 1, verifiedUsername: username, verifiedEmail: nil, verifiedEmailKey: nil, storedGroups: nil, lastSeenAt: 0)
    }

    // MARK: The cache alone

    @Test func aKeptSessionIsFoundOnlyUnderTheStampItWasReadAt() {
        let cache = ForwardAuthSessionCache()
        let stamp = ForwardAuthSessionCache.Stamp(second: 10, writeCount: 3)
        cache.keep(Self.session("alice"), for: [1], readAt: stamp, current: stamp)
        #expect(cache.session(for: [1], at: stamp)?.verifiedUsername == "alice")
        #expect(cache.session(for: [2], at: stamp) == nil, "another token")
        #expect(cache.session(for: [1], at: .init(second: 11, writeCount: 3)) == nil, "the next second reads again")
        #expect(cache.session(for: [1], at: .init(second: 10, writeCount: 4)) == nil, "a write finished since")
    }

    @Test func aSessionReadWhileTheStampMovedIsNotKept() {
        let cache = ForwardAuthSessionCache()
        let before = ForwardAuthSessionCache.Stamp(second: 10, writeCount: 3)
        let after = ForwardAuthSessionCache.Stamp(second: 10, writeCount: 4)
        cache.keep(Self.session("alice"), for: [1], readAt: before, current: after)
        #expect(cache.session(for: [1], at: before) == nil, "a write finished during the read: it may be out of date")
        #expect(cache.session(for: [1], at: after) == nil)
    }

    @Test func aNewStampDropsEverythingKeptBefore() {
        let cache = ForwardAuthSessionCache()
        let first = ForwardAuthSessionCache.Stamp(second: 10, writeCount: 3)
        let second = ForwardAuthSessionCache.Stamp(second: 11, writeCount: 3)
        cache.keep(Self.session("alice"), for: [1], readAt: first, current: first)
        cache.keep(Self.session("bob"), for: [2], readAt: second, current: second)
        #expect(cache.session(for: [2], at: second)?.verifiedUsername == "bob")
        #expect(cache.session(for: [1], at: first) == nil, "only one stamp's entries are held")
    }

    @Test func itHoldsAtMostItsCapacity() {
        let cache = ForwardAuthSessionCache(capacity: 2)
        let stamp = ForwardAuthSessionCache.Stamp(second: 10, writeCount: 0)
        for byte: UInt8 in 1...3 { cache.keep(Self.session("user\(byte)"), for: [byte], readAt: stamp, current: stamp) }
        #expect(cache.session(for: [1], at: stamp) != nil)
        #expect(cache.session(for: [2], at: stamp) != nil)
        #expect(cache.session(for: [3], at: stamp) == nil, "the third is read from the database every time instead")
    }

    // MARK: Through SessionManager and a real database

    struct Rig {
        let directory: URL
        let database: Database
        let sessions: SessionManager
        let userID: Int64
        let request: Request

        init(now: Int64) throws {
            directory = try temporaryDirectory()
            database = try migratedDatabase(in: directory)
            sessions = SessionManager(
                database: database,
                settings: SessionSettings(idleLifetime: 3600, absoluteLifetime: 86400, cookieName: "gatehouse_session", cookieDomain: nil, secure: false)
            )
            userID = try database.write {
                try UserRepository($0).create(
                    username: "alice", email: "alice@example.com", emailVerifiedBy: .administrator, usernameVerifiedBy: .administrator,
                    displayName: nil, now: now
                )
            }.id
            let started = try sessions.start(userID: userID, provider: "dev", request: Request(method: "GET", target: "/"), now: now)
            request = Request(method: "GET", target: "/auth/verify", headers: HTTPHeaders([("Cookie", "gatehouse_session=\(started.session.token.cookieValue)")]))
        }

        func close() {
            database.close()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aRevocationInTheSameSecondIsSeenByTheNextRequest() throws {
        let rig = try Rig(now: now)
        defer { rig.close() }
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now)?.verifiedUsername == "alice")
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now)?.verifiedUsername == "alice", "answered again, now from the cache")
        #expect(try rig.sessions.revokeAll(userID: rig.userID, now: now) == 1)
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now) == nil, "revoked means refused at once")
    }

    @Test func aDeactivatedUserIsRefusedAtOnce() throws {
        let rig = try Rig(now: now)
        defer { rig.close() }
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now) != nil)
        try rig.database.write { try $0.execute("UPDATE users SET active = 0 WHERE id = ?", [.integer(rig.userID)]) }
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now) == nil)
    }

    /// The documented limit: another process's change is seen from the next second on. The
    /// second `Database` here stands for an operator command run beside the server; that its
    /// change is not seen within the second also shows the second request was a cache hit.
    @Test func aChangeByAnotherProcessIsSeenFromTheNextSecond() throws {
        let rig = try Rig(now: now)
        defer { rig.close() }
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now)?.verifiedEmail == "alice@example.com")
        let other = try Database(path: rig.database.path)
        defer { other.close() }
        try other.write { try $0.execute("UPDATE users SET email = 'alice@example.org' WHERE id = ?", [.integer(rig.userID)]) }
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now)?.verifiedEmail == "alice@example.com", "kept for the rest of the second")
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now + 1)?.verifiedEmail == "alice@example.org", "read again the next second")
    }

    @Test func anExpiredSessionIsNotAnsweredFromTheCache() throws {
        let rig = try Rig(now: now)
        defer { rig.close() }
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now) != nil)
        #expect(try rig.sessions.forwardAuthSession(rig.request, now: now + 86400) == nil, "past the absolute lifetime")
    }
}
