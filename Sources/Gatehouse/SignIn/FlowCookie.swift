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

    let name: String
    let secure: Bool

    init(publicURLIsHTTPS: Bool) {
        secure = publicURLIsHTTPS
        // `__Host-` makes the browser refuse the cookie unless it is Secure, host-only and Path=/.
        name = publicURLIsHTTPS ? "__Host-gatehouse_flow" : "gatehouse_flow"
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
        request.cookies[name].flatMap { SessionToken(cookieValue: $0) }
    }

    /// `SameSite=Lax` lets the provider's top-level redirect back carry the cookie. A
    /// `form_post` callback, a cross-site POST, carries none; it continues as a same-origin GET
    /// (`OIDCSignIn.holdPostedCallback`), where this cookie arrives, so it never needs
    /// `SameSite=None`.
    func setCookie(value: String) throws(CookieError) -> SetCookie {
        try SetCookie(name: name, value: value, maxAge: Self.lifetimeSeconds, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
