import Dispatch
import Foundation
import Synchronization
import Testing
@testable import HTTP
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The listening socket on its own, over real loopback sockets.
@Suite struct ListenerTests {
    /// Responses go out without Nagle's delay. The option is set once on the listener and the
    /// kernel copies it to each accepted socket; this checks that copy, per address family.
    @Test(arguments: [
        ("127.0.0.1", "IPv4 listener"),
        ("::1", "IPv6 listener"),
    ])
    func acceptedSocketsHaveNoDelay(host: String, reason: String) throws {
        let loop = try EventLoop()
        loop.start(name: "test.loop")
        defer { loop.stop() }
        let listener = try Listener(binding: ListenAddress(host: host, port: 0))
        defer { listener.stop() }
        let noDelay = Mutex<Int32?>(nil)
        let accepted = DispatchSemaphore(value: 0)
        listener.startAccepting(on: [loop]) { fd, _, _ in
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            let status = getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
            noDelay.withLock { $0 = status == 0 ? value : -1 }
            close(fd)
            accepted.signal()
        }
        let client = try TestClient(port: listener.address.port, host: host)
        withExtendedLifetime(client) {
            #expect(accepted.wait(timeout: .now() + 5) == .success, "\(reason)")
        }
        #expect(noDelay.withLock { $0 } == 1, "\(reason)")
    }

    /// Runs `body` on a thread of its own; true if it returned within `seconds`.
    static func returns(within seconds: Int, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        return done.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    /// Review finding: a second `stop` of a loop waited forever for a thread already gone.
    @Test func aLoopStoppedTwiceReturnsBothTimes() throws {
        let loop = try EventLoop()
        loop.start(name: "test.loop")
        loop.stop()
        #expect(Self.returns(within: 10) { loop.stop() })
    }

    /// Review finding: stopping a listener after its loops had ended waited forever for them
    /// to forget the socket.
    @Test func aListenerStoppedAfterItsLoopsEndedReturns() throws {
        let loop = try EventLoop()
        loop.start(name: "test.loop")
        let listener = try Listener(binding: ListenAddress(host: "127.0.0.1", port: 0))
        listener.startAccepting(on: [loop]) { fd, _, _ in close(fd) }
        loop.stop()
        #expect(Self.returns(within: 10) { listener.stop() })
    }

    /// `stop` has every loop forget the socket and returns only after it is closed, so a
    /// server that has shut down refuses new connections at once.
    @Test func stopClosesTheSocketBeforeItReturns() throws {
        let loops = [try EventLoop(), try EventLoop()]
        for loop in loops { loop.start(name: "test.loop") }
        defer { loops.forEach { $0.stop() } }
        // A reserved port: once the listener is gone nothing else can be given it, so the
        // refusal below is the listener's absence and never another test's server.
        let listener = try Listener(binding: ListenAddress(host: "127.0.0.1", port: try ExternalServer.freePort()))
        let acceptedCount = Atomic<Int>(0)
        listener.startAccepting(on: loops) { fd, _, _ in
            acceptedCount.add(1, ordering: .relaxed)
            close(fd)
        }
        let port = listener.address.port
        let client = try TestClient(port: port)
        #expect(client.isClosedByPeer(), "accepted (and closed) while the listener runs")
        #expect(acceptedCount.load(ordering: .relaxed) == 1)
        listener.stop()
        #expect(throws: TestClient.Failure.self) { _ = try TestClient(port: port) }
    }
}
