/// The HTTP client Gatehouse uses to talk to OpenID Providers: discovery, JWKS, token, userinfo.
///
/// Built on libcurl's C API because it gives the control this channel needs and Foundation's
/// URLSession on Linux does not: an extra CA bundle beside the system store, no redirects, hard
/// timeouts and a response size cap. `send` blocks the calling thread; any number of threads may
/// call it at once, each on its own pooled curl handle.
public final class BackChannelClient: Sendable {
    public let settings: BackChannelSettings
    private let caBundle: CABundle?
    private let pool: HandlePool

    /// Idle handles kept for connection reuse; a few cover a login server's provider traffic.
    static let maxIdleHandles = 8

    /// Reads the extra CA bundle now, so a bad path fails at start-up rather than at the first sign-in.
    public convenience init(settings: BackChannelSettings = .init()) throws(BackChannelError) {
        try self.init(settings: settings, systemCABundlePath: nil)
    }

    /// `systemCABundlePath` replaces the system store's location, so tests can show the extra bundle
    /// is added to it rather than put in its place.
    init(settings: BackChannelSettings, systemCABundlePath: String?) throws(BackChannelError) {
        guard CurlGlobal.isReady else {
            throw BackChannelError(.transportFailure, "curl_global_init failed")
        }
        self.settings = try settings.validated()
        if let extraPath = settings.extraCABundlePath {
            caBundle = try CABundle(extraPath: extraPath, systemPath: systemCABundlePath ?? CABundle.systemBundlePath())
        } else {
            caBundle = nil
        }
        pool = HandlePool(maxIdle: Self.maxIdleHandles)
    }

    /// Sends one request and returns the provider's response, whatever its status.
    ///
    /// The URL is parsed and checked (scheme, credentials, plain-HTTP policy) before any connection.
    public func send(_ request: BackChannelRequest) throws(BackChannelError) -> BackChannelResponse {
        let url = try destination(request.url)
        let handle = try pool.checkOut()
        defer { pool.checkIn(handle) }
        return try CurlTransfer(handle: handle, settings: settings, caBundle: caBundle).run(request, url: url)
    }

    /// Applies `send`'s URL checks without connecting, so configuration checks can refuse an issuer
    /// or endpoint URL (a plain-http issuer off loopback, say) at start-up.
    public func checkDestination(_ url: String) throws(BackChannelError) {
        _ = try destination(url)
    }

    private func destination(_ text: String) throws(BackChannelError) -> CurlURL {
        let url = try CurlURL(parsing: text)
        if url.scheme == "http", !settings.plainHTTP.permitsPlainHTTP(toHost: url.host) {
            throw BackChannelError(.plainHTTPRefused, "plain http to \(url.host) is refused (policy \(settings.plainHTTP))")
        }
        return url
    }
}
