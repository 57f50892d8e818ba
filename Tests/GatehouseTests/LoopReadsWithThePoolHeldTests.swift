import Dispatch
import Foundation
import Store
import Testing
@testable import Gatehouse
import TestSupport

/// Forward-auth and `/api/v1/me` are answered on the connection's own event loop, which reads
/// from a database reader of its own. Review finding: they took a reader from the shared pool,
/// so while slower reads elsewhere (admin listings, `/metrics`' counts) held every pooled
/// reader, the loop waited up to the busy timeout, every other connection of the loop with it,
/// and then answered 503.
@Suite(.serialized) struct LoopReadsWithThePoolHeldTests {
    /// Runs `body` while threads of the test hold every reader of `database`'s shared pool.
    static func whileEveryPooledReaderIsHeld<T>(_ database: Database, _ body: () throws -> T) throws -> T {
        try whileHeld(by: DatabaseOptions().readerCount, { wait in _ = try? database.read { _ in wait() } }, body)
    }

    /// A short busy timeout, so that a loop that does wait for the pool gives up soon.
    static func rig() throws -> SignInRig {
        let rig = try SignInRig(databaseExtra: #", "busy_timeout_ms": 200"#)
        #expect(try rig.signIn().status == 303)
        return rig
    }

    @Test("/auth/verify answers from the loop's own reader while the pool is held")
    func forwardAuth() throws {
        let rig = try Self.rig()
        defer { rig.stop() }
        let verify = try Self.whileEveryPooledReaderIsHeld(rig.gatehouse.database) {
            try rig.browser.get("\(rig.origin)/auth/verify")
        }
        #expect(verify.status == 200, "\(verify.status): \(verify.text.prefix(300))")
        #expect(verify.header("Remote-User") != nil)
    }

    @Test("/api/v1/me answers from the loop's own reader while the pool is held")
    func me() throws {
        let rig = try Self.rig()
        defer { rig.stop() }
        let me = try Self.whileEveryPooledReaderIsHeld(rig.gatehouse.database) { try rig.me() }
        #expect(me.status == 200, "\(me.status): \(me.text.prefix(300))")
    }
}
