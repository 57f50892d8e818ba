/// Headers that every response carries, so a browser treats Gatehouse's pages defensively.
public struct SecurityHeaders: Sendable, Equatable {
    /// Sent on HTML pages. No inline script or style is allowed, and no page of ours may be framed
    /// (clickjacking a login form is a classic way to steal a click).
    public var contentSecurityPolicy: String =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    /// `no-referrer` keeps authorization codes and state in our URLs from leaking to other sites.
    public var referrerPolicy: String = "no-referrer"
    /// Set when the public URL is https; nil otherwise (HSTS over plain http is meaningless).
    public var strictTransportSecurity: String? = nil

    public init(strictTransportSecurity: String? = nil) {
        self.strictTransportSecurity = strictTransportSecurity
    }

    public static func forPublicURL(isHTTPS: Bool) -> SecurityHeaders {
        SecurityHeaders(strictTransportSecurity: isHTTPS ? "max-age=63072000" : nil)
    }

    /// Adds the headers a handler did not set itself.
    public func apply(to response: inout Response) {
        response.headers.setIfAbsent("X-Content-Type-Options", "nosniff")
        response.headers.setIfAbsent("Referrer-Policy", referrerPolicy)
        if let contentType = response.headers["Content-Type"], contentType.hasPrefix("text/html") {
            response.headers.setIfAbsent("Content-Security-Policy", contentSecurityPolicy)
            response.headers.setIfAbsent("X-Frame-Options", "DENY")
        }
        if let strictTransportSecurity {
            response.headers.setIfAbsent("Strict-Transport-Security", strictTransportSecurity)
        }
    }
}
