import HTTP

/// A short-lived cookie that binds a step begun here to the browser that began it: a sign-in
/// flow (`FlowCookie`), a sign-out's `state` (`SignOutState`). It holds 256 random bits in a
/// session secret's shape, so `SessionToken` makes, parses and hashes it; it is host-only,
/// HttpOnly and `SameSite=Lax` (the provider's top-level redirect back carries it), and lives
/// only as long as the step it protects.
struct BrowserBindingCookie: Sendable {
    let name: String
    let secure: Bool
    let lifetimeSeconds: Int

    /// `__Host-` on https makes the browser refuse the cookie unless it is Secure, host-only and Path=/.
    init(baseName: String, lifetimeSeconds: Int, publicURLIsHTTPS: Bool) {
        secure = publicURLIsHTTPS
        name = publicURLIsHTTPS ? "__Host-" + baseName : baseName
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// The value this browser presents, when it presents a well-formed one.
    func presented(in request: Request) -> SessionToken? {
        request.cookies[name].flatMap { SessionToken(cookieValue: $0) }
    }

    func setCookie(value: String) throws(CookieError) -> SetCookie {
        try SetCookie(name: name, value: value, maxAge: lifetimeSeconds, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func removal() throws -> SetCookie {
        try SetCookie.removal(name: name, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
