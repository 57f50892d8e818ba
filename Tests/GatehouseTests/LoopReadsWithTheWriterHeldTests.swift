import Dispatch
import Foundation
import Store
import Testing
import TestSupport

/// The reads answered on a connection's own loop (`/api/v1/me`, forward-auth's `/auth/verify`)
/// owe a session touch now and then; while another process holds the database's writer, the
/// touch is skipped at once, never waited for (a wait there stalls every connection of the loop).
@Suite(.serialized) struct LoopReadsWithTheWriterHeldTests {
    /// Runs `body` while another connection to the file (as another process would) holds the writer.
    static func whileAnotherProcessHoldsTheWriter<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let holder = try Database(path: path, options: DatabaseOptions(busyTimeoutMilliseconds: 100))
        defer { holder.close() }
        let (holding, release, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        DispatchQueue.global().async {
            _ = try? holder.write { _ in
                holding.signal()
                release.wait()
            }
            done.signal()
        }
        holding.wait()
        defer {
            release.signal()
            done.wait()
        }
        return try body()
    }

    static func lastSeen(_ rig: SignInRig) throws -> Int64? {
        try rig.gatehouse.database.read { try $0.queryOne("SELECT last_seen_at FROM sessions")?.int64(at: 0) }
    }

    @Test("/api/v1/me: a session due for its touch is answered, and the touch is left for later")
    func me() throws {
        let clock = TestClock()
        let rig = try SignInRig(clock: clock)
        defer { rig.stop() }
        #expect(try rig.signIn().status == 303)
        clock.advance(by: 120)  // past the 60 s touch interval: this read owes a touch
        let before = try Self.lastSeen(rig)
        let me = try Self.whileAnotherProcessHoldsTheWriter(rig.gatehouse.database.path) { try rig.me() }
        #expect(me.status == 200, "\(me.text)")
        #expect(try Self.lastSeen(rig) == before, "the touch was skipped, not waited for")
        #expect(try rig.me().status == 200)
        #expect(try Self.lastSeen(rig) != before, "with the writer free, the next read touches")
    }

    @Test("/auth/verify: the same, for forward-auth")
    func forwardAuth() throws {
        let clock = TestClock()
        let rig = try SignInRig(clock: clock)
        defer { rig.stop() }
        #expect(try rig.signIn().status == 303)
        clock.advance(by: 120)
        let before = try Self.lastSeen(rig)
        let verify = try Self.whileAnotherProcessHoldsTheWriter(rig.gatehouse.database.path) {
            try rig.browser.get("\(rig.origin)/auth/verify")
        }
        #expect(verify.status == 200, "\(verify.text)")
        #expect(try Self.lastSeen(rig) == before)
    }
}
