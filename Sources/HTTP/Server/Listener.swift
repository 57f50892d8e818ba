import CSocket
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking socket and the thread that accepts on it.
///
/// `@unchecked Sendable`: `accepting` and `isStopped` are only touched by `startAccepting` and
/// `stop`, which `HTTPServer` calls in that order, never concurrently.
final class Listener: @unchecked Sendable {
    let fd: Int32
    let address: ListenAddress
    /// How to stop the accepting thread and learn that it is done.
    private struct Accepting {
        let wakeup: Int32
        let stopped: DispatchSemaphore
    }
    private var accepting: Accepting?
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

    /// Starts accepting on a thread of its own, which sleeps in poll(2) on the listening socket
    /// and on an eventfd that `stop` signals, and calls `accepted` with each new socket.
    ///
    /// A thread rather than a Dispatch read source: with the source, every connection cost a
    /// wake-up of Dispatch's event thread, a hop to a worker thread, and a second wake-up of the
    /// event thread to re-arm the one-shot epoll registration. Here it costs one wake-up.
    func startAccepting(_ accepted: @escaping @Sendable (Int32, String) -> Void) throws(SocketError) {
        let wakeup = gatehouse_wakeup_fd()
        guard wakeup >= 0 else { throw SocketError(operation: "eventfd", errnoCode: gatehouse_errno()) }
        let stopped = DispatchSemaphore(value: 0)
        let fd = self.fd
        let thread = Thread {
            Self.acceptUntilStopped(fd, wakeup: wakeup, accepted)
            // Closed here, after the last poll and accept, so no descriptor is closed under them.
            SystemCall.close(fd)
            SystemCall.close(wakeup)
            stopped.signal()
        }
        thread.name = "gatehouse.accept"
        accepting = Accepting(wakeup: wakeup, stopped: stopped)
        thread.startWithSignalsBlocked()
    }

    private static func acceptUntilStopped(_ fd: Int32, wakeup: Int32, _ accepted: (Int32, String) -> Void) {
        var watched = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
        while true {
            watched[0].revents = 0
            watched[1].revents = 0
            guard poll(&watched, 2, -1) >= 0 else {
                if gatehouse_errno() == EINTR { continue }
                return
            }
            if watched[1].revents != 0 { return }
            // Accept a bounded batch per wake-up, then look at the stop signal again.
            for _ in 0..<64 {
                var storage = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let result = withUnsafeMutablePointer(to: &storage) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        try? SystemCall.perform("accept4") { gatehouse_accept_nonblocking(fd, address, &length) }
                    }
                }
                guard case .processed(let client)? = result else { break }
                // TCP_NODELAY comes from the listener (see init).
                accepted(client, SocketAddress.ipString(&storage))
            }
        }
    }

    /// Stops accepting and closes the socket; once this returns, no connection is accepted.
    /// Later calls do nothing.
    func stop() {
        guard !isStopped else { return }
        isStopped = true
        guard let accepting else {
            SystemCall.close(fd)
            return
        }
        var one: UInt64 = 1
        _ = Glibc.write(accepting.wakeup, &one, MemoryLayout<UInt64>.size)
        accepting.stopped.wait()
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
