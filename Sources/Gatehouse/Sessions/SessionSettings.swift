/// Session lifetimes and cookie attributes, derived from `sessions` and `server.public_url`.
public struct SessionSettings: Sendable, Equatable {
    /// A session unused this long expires.
    public var idleLifetime: Int64
    /// A session expires this long after sign-in, however busy.
    public var absoluteLifetime: Int64
    /// The cookie's full name, prefix included (see `GatehouseConfig.sessionCookieName`).
    public var cookieName: String
    /// A parent domain such as `example.com`, so one sign-in covers the applications under it.
    public var cookieDomain: String?
    /// Whether the public URL is https: the cookie is then `Secure` and prefixed.
    public var secure: Bool
    /// A busy session is written back (idle expiry extended) at most this often.
    public var touchInterval: Int64 = 60

    public init(idleLifetime: Int64, absoluteLifetime: Int64, cookieName: String, cookieDomain: String?, secure: Bool) {
        self.idleLifetime = idleLifetime
        self.absoluteLifetime = absoluteLifetime
        self.cookieName = cookieName
        self.cookieDomain = cookieDomain
        self.secure = secure
    }
}
