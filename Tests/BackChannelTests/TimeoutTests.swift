import Foundation
import HTTP
import Testing
import TestSupport
@testable import BackChannel

/// A provider that accepts and then says nothing must not hold a sign-in forever.
@Suite struct TimeoutTests {
    @Test func silentServerTimesOut() throws {
        let listener = try SilentListener()
        let client = try BackChannelClient(settings: BackChannelSettings(totalTimeoutMilliseconds: 500))
        let started = Date()
        let error = #expect(throws: BackChannelError.self) {
            try client.send(BackChannelRequest(url: "http://127.0.0.1:\(listener.port)/"))
        }
        #expect(error?.code == .timedOut)
        // Loose on purpose: only "about the total timeout", never the connect timeout or longer.
        #expect(Date().timeIntervalSince(started) < 4.5)
    }

    /// A request's own limit (what is left of a callback's time) cuts it short of the client's:
    /// an answer 2 s away is not waited for under a 300 ms limit, though the client allows 60 s.
    @Test func aRequestsOwnLimitEndsItBeforeTheClients() throws {
        let (server, port) = try startHTTPServer(responder: ClosureResponder { _ in
            Thread.sleep(forTimeInterval: 2)
            return Response(status: .ok, body: Array("late".utf8))
        })
        defer { server.shutdown() }
        let client = try BackChannelClient(settings: BackChannelSettings(totalTimeoutMilliseconds: 60_000))
        let url = "http://127.0.0.1:\(port)/"
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: url, timeoutMilliseconds: 300)) }
        #expect(error?.code == .timedOut)
        #expect(try client.send(BackChannelRequest(url: url)).status == 200, "without a limit of its own, the answer is waited for")
    }

    /// A closed port is a refusal, told apart from a timeout so logs say what happened.
    @Test func closedPortIsCouldNotConnect() throws {
        // Reserved (bound, never listening) for the test process: refused, and no other test
        // can be given it meanwhile.
        let port = try ExternalServer.freePort()
        let error = #expect(throws: BackChannelError.self) {
            try BackChannelClient().send(BackChannelRequest(url: "http://127.0.0.1:\(port)/"))
        }
        #expect(error?.code == .couldNotConnect)
    }
}
