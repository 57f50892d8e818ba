import Crypto
import HTTP

/// The short-lived cookie that binds a sign-in flow to the browser that started it.
///
/// It holds 256 random bits; the database keeps only their SHA-256 beside each flow. A
/// callback whose browser does not present the same value cannot finish the flow, so a
/// callback URL lured into someone else's browser (login CSRF) or copied out of the victim's
/// signs nobody in. One value serves every flow the browser starts within its lifetime, so
/// sign-ins in two tabs do not spoil each other.
struct FlowCookie: Sendable {
    /// Ten minutes, the flows' own lifetime: the cookie never outlives what it protects.
    static let lifetimeSeconds = 600

    let cookie: BrowserBindingCookie

    init(publicURLIsHTTPS: Bool) {
        cookie = BrowserBindingCookie(baseName: "gatehouse_flow", lifetimeSeconds: Self.lifetimeSeconds, publicURLIsHTTPS: publicURLIsHTTPS)
    }

    /// The browser's binding secret: the one it already presents, or a fresh one. It has the
    /// same shape as a session cookie's secret (256 random bits, strict base64url), so it is
    /// made, parsed and hashed by `SessionToken`; only its hash is stored beside each flow.
    func binding(for request: Request) throws(SecureRandom.Failure) -> SessionToken {
        if let presented = presented(in: request) { return presented }
        return try SessionToken.generate()
    }

    /// The presented binding's hash, or nil when the browser sent none (or a malformed one).
    func presentedHash(in request: Request) -> [UInt8]? {
        presented(in: request)?.hash
    }

    private func presented(in request: Request) -> SessionToken? {
        cookie.presented(in: request)
    }

    /// `SameSite=Lax` lets the provider's top-level redirect back carry the cookie. A
    /// `form_post` callback, a cross-site POST, carries none; it continues as a same-origin GET
    /// (`OIDCSignIn.holdPostedCallback`), where this cookie arrives, so it never needs
    /// `SameSite=None`.
    func setCookie(value: String) throws(CookieError) -> SetCookie {
        try cookie.setCookie(value: value)
    }
}
