import Foundation
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
