/// Size limits applied while parsing a request. Each has a configuration key in `server.limits`.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line accepted; longer gets 414.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Largest header section (all field lines together); larger gets 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Most header fields accepted; more gets 431.
    public var maxHeaderCount: Int = 100
    /// Largest request body, after de-chunking; larger gets 413.
    public var maxBodyBytes: Int = 1024 * 1024
    /// Longest chunk-size line including extensions; longer gets 400.
    public var maxChunkLineBytes: Int = 1024
    /// Bodies being received at once across all connections (`BodyBudget`); a body that does
    /// not fit gets 503.
    public var maxBodyBytesInFlight: Int = 32 * 1024 * 1024
    /// Requests received and not yet answered, and responses not yet sent, across all of a
    /// server's connections: shared out equally among its `maxConnections`
    /// (`ServerContext.bufferShares`), so that however many clients pipeline without reading,
    /// they hold about this much, not 512 KiB each.
    public var maxBufferedBytes: Int = 64 * 1024 * 1024

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024,
        maxChunkLineBytes: Int = 1024,
        maxBodyBytesInFlight: Int = 32 * 1024 * 1024,
        maxBufferedBytes: Int = 64 * 1024 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxBodyBytesInFlight = maxBodyBytesInFlight
        self.maxBufferedBytes = maxBufferedBytes
    }
}
