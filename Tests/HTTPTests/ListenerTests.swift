import Dispatch
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
        let listener = try Listener(binding: ListenAddress(host: host, port: 0))
        defer { listener.stop() }
        let noDelay = Mutex<Int32?>(nil)
        let accepted = DispatchSemaphore(value: 0)
        listener.startAccepting(on: DispatchQueue(label: "listener-test")) { fd, _ in
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
}
