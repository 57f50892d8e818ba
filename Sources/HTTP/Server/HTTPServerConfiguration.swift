import Foundation

/// Everything the server needs to know, already validated (the app's config layer checks the file).
public struct HTTPServerConfiguration: Sendable {
    public var listen: [ListenAddress]
    public var limits: HTTPLimits
    public var timeouts: ConnectionTimeouts
    /// Beyond this many open connections a new one gets an immediate 503 and is closed.
    public var maxConnections: Int
    /// Of those, at most this many from one client (`ClientBlock`: an IPv4 address, an IPv6 /64);
    /// a trusted proxy's connections are not counted, as they carry many clients.
    public var maxConnectionsPerClient: Int
    /// A kept-alive connection is closed after this many requests, bounding per-connection state.
    public var maxRequestsPerConnection: Int
    public var forwarding: ForwardedHeaders
    public var securityHeaders: SecurityHeaders
    /// Responses at least this large are gzip-compressed when the client accepts it; nil disables.
    public var compressionMinimumBytes: Int?
    /// Event-loop threads connections are spread over: one per core by default.
    public var eventLoopCount: Int
    /// What each event loop's thread sets up for itself before its first event and ends after
    /// its last.
    public var loopThreadHooks: LoopThreadHooks

    public init(
        listen: [ListenAddress],
        limits: HTTPLimits = HTTPLimits(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(),
        maxConnections: Int = 1024,
        maxConnectionsPerClient: Int? = nil,
        maxRequestsPerConnection: Int = 10_000,
        forwarding: ForwardedHeaders = .trustNobody,
        securityHeaders: SecurityHeaders = SecurityHeaders(),
        compressionMinimumBytes: Int? = 1024,
        eventLoopCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        loopThreadHooks: LoopThreadHooks = LoopThreadHooks()
    ) {
        self.listen = listen
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient ?? maxConnections
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.forwarding = forwarding
        self.securityHeaders = securityHeaders
        self.compressionMinimumBytes = compressionMinimumBytes
        self.eventLoopCount = eventLoopCount
        self.loopThreadHooks = loopThreadHooks
    }
}

/// Work that runs on an event loop's own thread: `started` before the loop waits for its first
/// event, `ending` after it has run its last task. The app gives each loop a database reader of
/// its own this way, so a handler answered on the loop never waits for a shared one.
public struct LoopThreadHooks: Sendable {
    public var started: @Sendable () -> Void
    public var ending: @Sendable () -> Void

    public init(started: @escaping @Sendable () -> Void = {}, ending: @escaping @Sendable () -> Void = {}) {
        self.started = started
        self.ending = ending
    }
}
