import CSocket
import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Gatehouse's HTTP/1.1 server: POSIX sockets, epoll, and threads of its own.
///
/// The event loops, one per core, accept on every listener themselves (see
/// `Listener.startAccepting`); a connection then lives on the thread of the loop that accepted
/// it (see `EventLoop`), which also enforces its deadlines, so idle connections cost no timer of
/// their own. Handlers that may block run on bounded executors instead
/// (`Answer.deferred`), never on a loop.
public final class HTTPServer: Sendable {
    private let context: ServerContext
    private let listeners = Mutex<[Listener]>([])
    private let loops = Mutex<[EventLoop]>([])
    private let connectionIDs = Atomic<UInt64>(0)

    public init(configuration: HTTPServerConfiguration, responder: any Responder, logger: Logger, metrics: HTTPMetrics) {
        context = ServerContext(configuration: configuration, responder: responder, logger: logger, metrics: metrics)
    }

    /// Descriptors the server may hold past `max_connections`: connections lingering after
    /// their last response, each for at most two seconds.
    public static var maximumLingeringConnections: Int { ServerContext.maximumLingering }

    /// The addresses actually bound (useful with port 0 in tests).
    public var boundAddresses: [ListenAddress] { listeners.withLock { $0.map(\.address) } }
    /// What large request bodies hold of the server's `BodyBudget` now.
    public var heldBodyBytes: Int { context.bodyBudget.inUse }

    public var openConnectionCount: Int { context.openConnections.count }

    /// Binds every listen address and starts serving. Throws without leaving anything bound on failure.
    public func start() throws(SocketError) {
        var bound: [Listener] = []
        var started: [EventLoop] = []
        do {
            for index in 0..<max(1, context.configuration.eventLoopCount) {
                let loop = try EventLoop()
                loop.start(name: "gatehouse.loop.\(index)", hooks: context.configuration.loopThreadHooks)
                started.append(loop)
            }
            loops.withLock { $0 = started }
            // Every address is bound before any accepts, so a failure to bind accepts nothing.
            for address in context.configuration.listen {
                bound.append(try Listener(binding: address))
            }
            for listener in bound {
                listener.startAccepting(on: started, starved: { [self] error in self.starved(error) }) { [self] fd, peer, loop in
                    self.accepted(fd: fd, peer: peer, on: loop)
                }
            }
        } catch {
            bound.forEach { $0.stop() }
            started.forEach { $0.stop() }
            loops.withLock { $0 = [] }
            throw error
        }
        listeners.withLock { $0 = bound }
    }

    /// A new connection, on the thread of the loop that accepted it, which serves it from now on.
    private func accepted(fd: Int32, peer: String, on loop: EventLoop) {
        if context.isShuttingDown {
            SystemCall.close(fd)
            return
        }
        let id = connectionIDs.add(1, ordering: .relaxed).newValue
        let connection = Connection(id: id, fd: fd, peerAddress: peer, context: context, loop: loop, now: Connection.now())
        if let limit = context.register(connection) {
            refuseOverLimit(fd: fd, peer: peer, limit: limit)
            return
        }
        connection.start()
    }

    /// Accept failed for want of a descriptor or memory: counted, and a warning at most once a
    /// minute (the listener rests meanwhile, so this is a few times a second at most).
    private func starved(_ error: SocketError) {
        context.metrics.connectionRejected(by: .descriptors)
        guard let heldBack = context.refusedConnectionLogs[.descriptors]?.admit() else { return }
        context.logger.warning("connections wait: no descriptor free to accept them (raise the open-file limit or lower server.max_connections)", metadata: [
            "error": "\(error)", "unlogged_since_last": "\(heldBack)",
        ])
    }

    /// Answers 503 at once and closes, so a client over a limit learns why instead of hanging.
    private func refuseOverLimit(fd: Int32, peer: String, limit: ConnectionLimit) {
        context.metrics.connectionRejected(by: limit)
        let body = "503 Service Unavailable: too many connections\n"
        let text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n"
            + "Date: \(context.dateCache.current())\r\n\r\n" + body
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { gatehouse_send(fd, $0.baseAddress, $0.count) }
        Glibc.shutdown(fd, Int32(SHUT_WR))
        SystemCall.close(fd)
        guard let heldBack = context.refusedConnectionLogs[limit]?.admit() else { return }
        switch limit {
        case .server:
            context.logger.warning("connection refused: limit reached", metadata: [
                "limit": "\(context.configuration.maxConnections)", "refused_unlogged_since_last": "\(heldBack)",
            ])
        case .client:
            context.logger.warning("connection refused: the client's share reached", metadata: [
                "client": "\(ClientBlock.key(for: peer))", "limit_per_client": "\(context.configuration.maxConnectionsPerClient)",
                "refused_unlogged_since_last": "\(heldBack)",
            ])
        case .descriptors:
            break
        }
    }

    /// Closes the listening sockets and tells every connection to finish its request in progress
    /// and close; returns once every loop has let go of the listeners, without waiting for any
    /// connection. A process with two servers (a management listener) calls it on both before
    /// draining either, so neither accepts while the other drains (review finding).
    public func stopAccepting() {
        context.beginShutdown()
        let stopped = listeners.withLock { current -> [Listener] in
            defer { current = [] }
            return current
        }
        stopped.forEach { $0.stop() }
        for connection in context.openConnections {
            connection.loop.execute { connection.beginShutdown() }
        }
    }

    /// Graceful shutdown: stop accepting, let requests in flight finish within the grace period,
    /// then close whatever is left. Blocks the caller until done; safe to call more than once.
    public func shutdown() {
        stopAccepting()
        let grace = context.configuration.timeouts.shutdownGraceSeconds
        let giveUp = Connection.now() &+ UInt64(grace * 1_000_000_000)
        while !context.openConnections.isEmpty && Connection.now() < giveUp {
            usleep(10_000)
        }
        let remaining = context.openConnections
        if !remaining.isEmpty {
            context.logger.warning("shutdown grace expired; closing connections", metadata: ["count": "\(remaining.count)"])
            for connection in remaining {
                connection.loop.execute { connection.forceClose() }
            }
            let hardStop = Connection.now() &+ 1_000_000_000
            while !context.openConnections.isEmpty && Connection.now() < hardStop {
                usleep(10_000)
            }
        }
        let stoppedLoops = loops.withLock { current -> [EventLoop] in
            defer { current = [] }
            return current
        }
        stoppedLoops.forEach { $0.stop() }
    }
}
