/// How long a connection may spend in each phase before it is closed.
/// Each has a configuration key in `server.timeouts`.
public struct ConnectionTimeouts: Sendable, Equatable {
    /// From the first byte of a request (or the accept) until its header section is complete.
    /// Cuts off slowloris clients that trickle header bytes.
    public var headerSeconds: Double = 10
    /// From the end of the header section until the body is complete.
    public var bodySeconds: Double = 30
    /// Between requests on a kept-alive connection.
    public var idleSeconds: Double = 60
    /// While a response cannot be written because the client does not read.
    public var writeSeconds: Double = 30
    /// How long graceful shutdown waits for requests in flight.
    public var shutdownGraceSeconds: Double = 10

    public init(
        headerSeconds: Double = 10, bodySeconds: Double = 30, idleSeconds: Double = 60,
        writeSeconds: Double = 30, shutdownGraceSeconds: Double = 10
    ) {
        self.headerSeconds = headerSeconds
        self.bodySeconds = bodySeconds
        self.idleSeconds = idleSeconds
        self.writeSeconds = writeSeconds
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }
}
