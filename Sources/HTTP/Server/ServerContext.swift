import Dispatch
import Logging
import Synchronization

/// What every connection of one server shares: the responder, the configuration, the registry of
/// open connections, and the per-request bookkeeping (request ids, logs, metrics).
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let responder: any Responder
    let logger: Logger
    let metrics: HTTPMetrics
    let dateCache = DateCache()
    /// Every connection's body being received takes from this (`HTTPLimits.maxBodyBytesInFlight`).
    let bodyBudget: BodyBudget
    /// A flood of connections past a limit is one warning a minute per limit, not one each.
    let refusedConnectionLogs: [ConnectionLimit: RepeatedLogLine] = Dictionary(
        uniqueKeysWithValues: ConnectionLimit.allCases.map { ($0, RepeatedLogLine()) }
    )

    private let connections = Mutex<Registry>(Registry())

    /// The open connections, each with the client it counts against (found once, when it is
    /// registered), and how many each client holds (`ClientBlock`; a trusted proxy's are not
    /// counted, as they carry many clients).
    private struct Registry {
        var open: [UInt64: (connection: Connection, client: String?)] = [:]
        var perClient: [String: Int] = [:]
    }
    private let shuttingDown = Atomic<Bool>(false)
    /// Connections lingering now (`Connection.closeLingering`), at most `maximumLingering`.
    private let lingeringCount = Atomic<Int>(0)
    private let requestCounter = Atomic<UInt64>(0)
    /// Random per process, so request ids from two runs never collide in a log.
    private let requestIDPrefix: String

    init(configuration: HTTPServerConfiguration, responder: any Responder, logger: Logger, metrics: HTTPMetrics) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = metrics
        bodyBudget = BodyBudget(capacity: configuration.limits.maxBodyBytesInFlight)
        bufferShares = Self.bufferShares(configuration)
        var generator = SystemRandomNumberGenerator()
        let prefix = String(generator.next() & 0xFFFF_FFFF, radix: 16)
        requestIDPrefix = String(repeating: "0", count: 8 - prefix.count) + prefix
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }
    func beginShutdown() { shuttingDown.store(true, ordering: .relaxed) }

    // MARK: Registry

    /// Registers a new connection unless a limit is reached: the server's, or the one client's
    /// share (`maxConnectionsPerClient`), so one client cannot hold every connection. Returns
    /// the limit reached when it must be refused, nil when registered.
    func register(_ connection: Connection) -> ConnectionLimit? {
        let client = countedClient(of: connection)
        let refusal = connections.withLock { registry -> ConnectionLimit? in
            guard registry.open.count < configuration.maxConnections else { return .server }
            if let client {
                let held = registry.perClient[client, default: 0]
                guard held < configuration.maxConnectionsPerClient else { return .client }
                registry.perClient[client] = held + 1
            }
            registry.open[connection.id] = (connection, client)
            return nil
        }
        if refusal == nil { metrics.connectionOpened() }
        return refusal
    }

    func connectionClosed(_ connection: Connection, reason: String) {
        let removed = connections.withLock { registry -> Bool in
            guard let (_, client) = registry.open.removeValue(forKey: connection.id) else { return false }
            if let client, let held = registry.perClient[client] {
                registry.perClient[client] = held > 1 ? held - 1 : nil
            }
            return true
        }
        if removed { metrics.connectionClosed() }
        if reason.hasSuffix("_timeout") {
            metrics.connectionTimedOut(reason: reason)
            logger.debug("connection closed", metadata: ["reason": "\(reason)", "peer": "\(connection.peerAddress)"])
        }
    }

    /// The client a connection counts against, or nil for a trusted proxy's.
    private func countedClient(of connection: Connection) -> String? {
        configuration.forwarding.isTrustedProxy(connection.peerAddress) ? nil : ClientBlock.key(for: connection.peerAddress)
    }

    /// A connection may linger after its last response only while fewer than this do: each
    /// holds a descriptor past `max_connections` for up to `Connection.lingerNanoseconds`.
    static let maximumLingering = 32

    /// Takes one of the `maximumLingering` places; false when none is free.
    func startLingering() -> Bool {
        var current = lingeringCount.load(ordering: .relaxed)
        while current < Self.maximumLingering {
            let (exchanged, original) = lingeringCount.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing
            )
            if exchanged { return true }
            current = original
        }
        return false
    }

    func stopLingering() {
        lingeringCount.subtract(1, ordering: .acquiringAndReleasing)
    }

    var openConnections: [Connection] { connections.withLock { $0.open.values.map(\.connection) } }

    /// What one connection may hold of received requests not yet answered (`inbound`) and of
    /// responses not yet sent (`outbound`): `maxBufferedBytes` shared out equally among
    /// `maxConnections`, half for each and at most `Connection.largestShare` of each, so the
    /// connections together hold about `maxBufferedBytes` however many clients pipeline without
    /// reading. Two floors win over the share: reading never stops short of one request's line
    /// and header section and a read, so every request can be read whole; answering never stops
    /// short of 16 KiB. A connection can pass its share by the last read (16 KiB) and by the
    /// last response queued, which is always queued whole.
    let bufferShares: (inbound: Int, outbound: Int)

    private static func bufferShares(_ configuration: HTTPServerConfiguration) -> (inbound: Int, outbound: Int) {
        let limits = configuration.limits
        let share = limits.maxBufferedBytes / max(1, configuration.maxConnections)
        // The floor wins over the largest share too: with `header_bytes` near its 1 MiB maximum,
        // a request's head alone is larger than 256 KiB.
        let inbound = max(limits.maxRequestLineBytes + limits.maxHeaderBytes + Connection.readChunkBytes, min(Connection.largestShare, share / 2))
        let outbound = min(Connection.largestShare, max(Connection.readChunkBytes, share - inbound))
        return (inbound, outbound)
    }

    // MARK: Per request

    func prepare(_ request: inout Request, peerAddress: String) {
        configuration.forwarding.apply(to: &request, peerAddress: peerAddress)
        let number = requestCounter.add(1, ordering: .relaxed).newValue
        request.requestID = requestIDPrefix + "-" + String(number, radix: 16)
    }

    /// Server-wide response policy: security headers on everything, compression where it pays.
    func finish(_ response: inout Response, for request: Request) {
        configuration.securityHeaders.apply(to: &response)
        if let minimum = configuration.compressionMinimumBytes {
            applyCompression(to: &response, for: request, minimumBytes: minimum)
        }
    }

    /// The answer to a failure the responder never sees (an unparseable request, a body too
    /// large or too slow), still carrying the security headers: problem+json when the stand-in
    /// request's target (the refused one's, as far as it was read) is an API path
    /// (`HTTPError.isAPIPath`), as the API's own errors are; short plain text otherwise.
    func finalResponse(status: HTTPStatus, detail: String?, for request: Request) -> Response {
        var response: Response
        if HTTPError.isAPIPath(request.path) {
            response = HTTPError.refusal(status, detail: detail).response(for: request)
        } else {
            let text = detail.map { "\(status.description): \($0)\n" } ?? "\(status.description)\n"
            response = Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
        }
        configuration.securityHeaders.apply(to: &response)
        return response
    }

    func recordCompletion(of request: Request, response: Response, bodyBytes: Int, started: UInt64) {
        let status = response.status
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9
        let route = response.routePattern ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method, status: status.code, seconds: seconds)
        // The path is logged without its query: queries carry codes, states and tokens.
        logger.info("request", metadata: [
            "method": "\(request.method)",
            "path": "\(request.path)",
            "status": "\(status.code)",
            "bytes": "\(bodyBytes)",
            "duration_ms": "\(Self.milliseconds(seconds))",
            "request_id": "\(request.requestID)",
            "client": "\(request.clientAddress)",
        ])
    }

    func recordParseError(_ error: HTTPParseError, request: Request) {
        metrics.recordRequest(route: "unparsed", method: "OTHER", status: error.status.code, seconds: 0)
        logger.notice("rejected request", metadata: [
            "status": "\(error.status.code)",
            "reason": "\(error.reason)",
            "request_id": "\(request.requestID)",
            "client": "\(request.clientAddress)",
        ])
    }

    private static func milliseconds(_ seconds: Double) -> String {
        let micros = Int((seconds * 1_000_000).rounded())
        let whole = micros / 1000
        let fraction = micros % 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(whole).\(padded)"
    }
}

/// The limit a refused connection reached.
enum ConnectionLimit: String, CaseIterable, Sendable {
    /// `maxConnections`, the server's.
    case server
    /// `maxConnectionsPerClient`, one client's share.
    case client
    /// The process's descriptors (`RLIMIT_NOFILE`) or the kernel's memory: accept failed, and
    /// the listener rests until the next sweep (`EventLoop.restListener`). Counted per failure.
    case descriptors
}
