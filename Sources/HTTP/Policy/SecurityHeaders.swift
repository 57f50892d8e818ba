/// Headers that every response carries, so a browser treats Gatehouse's pages defensively.
public struct SecurityHeaders: Sendable, Equatable {
    /// Sent on HTML pages. No inline script or style is allowed, and no page of ours may be framed
    /// (clickjacking a login form is a classic way to steal a click).
    public var contentSecurityPolicy: String = SecurityHeaders.contentSecurityPolicy(formActionSources: [])
    /// `same-origin` keeps authorization codes and state in our URLs from leaking to other sites.
    /// (Not `no-referrer`: under it Chromium sends `Origin: null` with our own form posts, and the
    /// CSRF origin check rightly refuses those.)
    public var referrerPolicy: String = "same-origin"
    /// Set when the public URL is https; nil otherwise (HSTS over plain http is meaningless).
    public var strictTransportSecurity: String? = nil

    public init(strictTransportSecurity: String? = nil) {
        self.strictTransportSecurity = strictTransportSecurity
    }

    /// The policy with `form-action` widened to `sources` (origins such as
    /// `https://login.example.com`). Browsers apply `form-action` to every redirect that follows
    /// a form post, so a page whose form ends at a provider (linking, sign-out) or at a protected
    /// application (sign-in with `next`) must name those origins, or the browser blocks it.
    public static func contentSecurityPolicy(formActionSources sources: [String]) -> String {
        let formAction = (["'self'"] + sources.filter { !$0.isEmpty && !$0.contains(";") && !$0.contains(" ") }).joined(separator: " ")
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "form-action \(formAction); frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
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
