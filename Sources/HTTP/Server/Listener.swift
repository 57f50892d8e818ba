import CSocket
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking socket, accepted on by the event loops themselves.
///
/// `@unchecked Sendable`: `loops` and `isStopped` are only touched by `startAccepting` and
/// `stop`, which `HTTPServer` calls in that order, never concurrently.
final class Listener: @unchecked Sendable {
    let fd: Int32
    let address: ListenAddress
    /// The loops that watch this socket, each of which must forget it before it is closed.
    private var loops: [EventLoop] = []
    private var isStopped = false

    /// Binds and listens. Port 0 picks a free port; `address.port` then holds the real one.
    init(binding requested: ListenAddress, backlog: Int32 = 1024) throws(SocketError) {
        let family = requested.isIPv6 ? AF_INET6 : AF_INET
        let fd = gatehouse_stream_socket(family)
        guard fd >= 0 else { throw SocketError(operation: "socket", errnoCode: gatehouse_errno()) }
        do {
            var one: Int32 = 1
            _ = try SystemCall.require("setsockopt(SO_REUSEADDR)") {
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            if requested.isIPv6 {
                // An IPv6 listener accepts only IPv6, so "[::]:8080" and "0.0.0.0:8080" can both be listed.
                _ = try SystemCall.require("setsockopt(IPV6_V6ONLY)") {
                    setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
                }
            }
            // Set once here: Linux copies TCP_NODELAY to every socket accept returns, which
            // saves a setsockopt per connection (a test checks an accepted socket has it).
            _ = try SystemCall.require("setsockopt(TCP_NODELAY)") {
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            try Self.bind(fd, to: requested)
            _ = try SystemCall.require("listen") { Glibc.listen(fd, backlog) }
            self.address = ListenAddress(host: requested.host, port: try Self.boundPort(fd))
            self.fd = fd
        } catch {
            SystemCall.close(fd)
            throw error
        }
    }

    /// Has each of `loops` watch the socket and accept on it, calling `accepted` on that loop's
    /// thread with each new socket and the client's address.
    ///
    /// On the loops rather than on a thread of its own: with an accepting thread, every
    /// connection cost that thread's wake-up and then the wake-up of the loop it was handed to;
    /// here it costs the second alone (a sign-in opens one connection, and each wake-up is a
    /// context switch that profiles of sign-in showed above any work of ours).
    ///
    /// `starved` is told each time accept fails for want of a descriptor or of memory; the loop
    /// then rests the listener (`EventLoop.restListener`) instead of spinning on it.
    func startAccepting(
        on loops: [EventLoop], starved: @escaping @Sendable (SocketError) -> Void = { _ in },
        _ accepted: @escaping @Sendable (Int32, String, EventLoop) -> Void
    ) {
        let fd = self.fd
        self.loops = loops
        for loop in loops {
            loop.execute {
                loop.watchListener(fd) { Self.acceptWaiting(fd, on: loop, starved: starved, accepted) }
            }
        }
    }

    /// The accept failures that leave the connection waiting and the socket readable until
    /// something else frees a descriptor or memory.
    static func isStarvation(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }

    /// Accepts a bounded batch, so one busy listener cannot keep a loop from its connections;
    /// the socket stays readable while more wait, and the loop comes back to it.
    private static func acceptWaiting(
        _ fd: Int32, on loop: EventLoop, starved: (SocketError) -> Void, _ accepted: (Int32, String, EventLoop) -> Void
    ) {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let result = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    Result { () throws(SocketError) in try SystemCall.perform("accept4") { gatehouse_accept_nonblocking(fd, address, &length) } }
                }
            }
            let client: Int32
            switch result {
            case .success(.processed(let accepted)): client = accepted
            case .success(.wouldBlock): return
            case .failure(let error) where isStarvation(error.errnoCode):
                loop.restListener(fd)
                starved(error)
                return
            case .failure: return
            }
            // TCP_NODELAY comes from the listener (see init).
            accepted(client, SocketAddress.ipString(&storage), loop)
        }
    }

    /// Stops accepting and closes the socket; once this returns, no connection is accepted.
    /// Waits for each running loop to forget the socket first, so it must not be called on a
    /// loop's thread. Later calls do nothing.
    func stop() {
        guard !isStopped else { return }
        isStopped = true
        let fd = self.fd
        for loop in loops {
            let forgotten = DispatchSemaphore(value: 0)
            // A loop that has ended watches nothing any more (review finding: waiting for it
            // to forget the socket waited forever).
            guard loop.execute({
                loop.unwatchListener(fd)
                forgotten.signal()
            }) else { continue }
            forgotten.wait()
        }
        SystemCall.close(fd)
    }

    private static func bind(_ fd: Int32, to address: ListenAddress) throws(SocketError) {
        let parsed: Bool
        if address.isIPv6 {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = address.port.bigEndian
            parsed = inet_pton(AF_INET6, address.host, &v6.sin6_addr) == 1
            if parsed { try bind(fd, &v6, label: address) }
        } else {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = address.port.bigEndian
            parsed = inet_pton(AF_INET, address.host, &v4.sin_addr) == 1
            if parsed { try bind(fd, &v4, label: address) }
        }
        guard parsed else { throw SocketError(operation: "inet_pton(\(address.host))", errnoCode: EINVAL) }
    }

    /// Binds an IPv4 or IPv6 socket address, whichever `Address` is.
    private static func bind<Address>(_ fd: Int32, _ socketAddress: inout Address, label: ListenAddress) throws(SocketError) {
        _ = try SystemCall.require("bind(\(label))") {
            withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size))
                }
            }
        }
    }

    private static func boundPort(_ fd: Int32) throws(SocketError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try SystemCall.require("getsockname") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }
}
