import Dispatch
import Foundation
import Store
import Testing
@testable import Gatehouse
import TestSupport

/// The reads answered on a connection's own loop (`/api/v1/me`, forward-auth's `/auth/verify`)
/// owe a session touch now and then; while another process holds the database's writer, the
/// touch is skipped at once, never waited for (a wait there stalls every connection of the loop).
/// A sign-in's start, tried on the loop, leaves itself to its executor instead.
@Suite(.serialized) struct LoopReadsWithTheWriterHeldTests {
    /// Runs `body` while another connection to the file (as another process would) holds the writer.
    static func whileAnotherProcessHoldsTheWriter<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let holder = try Database(path: path, options: DatabaseOptions(busyTimeoutMilliseconds: 100))
        defer { holder.close() }
        return try whileHeld({ wait in _ = try? holder.write { _ in wait() } }, body)
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

    @Test("/oidc/:provider/authorize: the start waits for the writer on its executor, and stores its flow once")
    func signInStart() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        #expect(try rig.signIn().status == 303, "the provider's metadata is at hand")
        let executor = try #require(rig.gatehouse.app.executors.provider("dev"))
        let flows = { try rig.gatehouse.database.read { try $0.queryOne("SELECT count(*) FROM sign_in_flows")?.int64(at: 0) } }
        let before = try flows()
        let start = try Self.whileAnotherProcessHoldsTheWriter(rig.gatehouse.database.path) { () throws -> TestClient in
            let client = try TestClient(port: rig.gatehouse.port, timeoutSeconds: 30)
            try client.send("GET /oidc/dev/authorize?next=/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            // The job reaches the executor only when the loop's attempt declined.
            let deadline = Date().addingTimeInterval(20)
            while executor.load.running == 0 && Date() < deadline { usleep(2_000) }
            #expect(executor.load.running == 1, "the start waits for the writer on the provider's executor")
            #expect(try flows() == before, "the loop's attempt wrote nothing")
            return client
        }
        let answer = try start.readResponse()
        #expect(answer.status == 302, "\(answer.status): \(answer.text.prefix(300))")
        #expect(try flows() == before.map { $0 + 1 }, "one flow: the executor's")
    }
}
