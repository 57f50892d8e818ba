/// How the back-channel client connects. One client (and so one set of settings) per provider
/// lets a provider name its own CA bundle without affecting the others.
public struct BackChannelSettings: Sendable {
    /// Limit on DNS resolution plus TCP and TLS connection set-up.
    public var connectTimeoutMilliseconds: Int
    /// Limit on the whole exchange, connection included, so a stalled provider cannot hold a sign-in.
    public var totalTimeoutMilliseconds: Int
    /// Largest response body accepted; larger ones are cut off as soon as that is known.
    public var maxResponseBytes: Int
    /// A PEM file whose certificates are trusted in addition to the system store, for private
    /// deployments whose provider has a certificate from an in-house CA.
    public var extraCABundlePath: String?
    /// Whether plain `http` is allowed at all, and to which hosts.
    public var plainHTTP: PlainHTTPPolicy
    /// Sent as `User-Agent`, so a provider's logs show who is calling.
    public var userAgent: String

    public init(
        connectTimeoutMilliseconds: Int = 5_000,
        totalTimeoutMilliseconds: Int = 10_000,
        maxResponseBytes: Int = 1 << 20,
        extraCABundlePath: String? = nil,
        plainHTTP: PlainHTTPPolicy = .loopbackOnly,
        userAgent: String = "Gatehouse"
    ) {
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.maxResponseBytes = maxResponseBytes
        self.extraCABundlePath = extraCABundlePath
        self.plainHTTP = plainHTTP
        self.userAgent = userAgent
    }

    /// Refuses values curl would read as "no limit" (a zero timeout) or that make no sense.
    func validated() throws(BackChannelError) -> BackChannelSettings {
        guard connectTimeoutMilliseconds > 0 else {
            throw BackChannelError(.invalidSettings, "connect timeout must be positive (curl reads 0 as no timeout)")
        }
        guard totalTimeoutMilliseconds > 0 else {
            throw BackChannelError(.invalidSettings, "total timeout must be positive (curl reads 0 as no timeout)")
        }
        guard maxResponseBytes >= 0 else {
            throw BackChannelError(.invalidSettings, "maximum response size must not be negative")
        }
        guard !userAgent.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw BackChannelError(.invalidSettings, "user agent must not contain control characters")
        }
        return self
    }
}
