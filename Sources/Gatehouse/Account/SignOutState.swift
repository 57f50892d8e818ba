import Crypto
import HTTP

/// The `state` of RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 section 2), bound
/// to the browser that signed out by a short-lived cookie holding the same 256 random bits.
///
/// The local session has already ended when the browser leaves for the provider's end-session
/// page, so what the `state` protects is what the signed-out page says: only a browser that comes
/// back with the state its own sign-out sent is told its provider session ended too. A page
/// reached with a wrong, missing or expired state says it cannot tell, and does nothing else:
/// it never signs anyone in or out. Nothing is stored on the server.
///
/// Some providers (Debian's glewlwyd 2.7.5 among them) send the browser back only when the
/// request names a `post_logout_redirect_uri`, which is why Gatehouse always sends one.
struct SignOutState: Sendable {
    /// Ten minutes to confirm at the provider and come back.
    static let lifetimeSeconds = 600

    let cookie: BrowserBindingCookie

    init(publicURLIsHTTPS: Bool) {
        cookie = BrowserBindingCookie(baseName: "gatehouse_signout", lifetimeSeconds: Self.lifetimeSeconds, publicURLIsHTTPS: publicURLIsHTTPS)
    }

    /// How the browser came back to the signed-out page.
    enum Return: Sendable, Equatable {
        /// Neither a state nor a pending sign-out: a password sign-out, or a visit.
        case plain
        /// The state this browser's sign-out sent.
        case confirmed
        /// A state this browser did not send (or none, while a sign-out was pending, or a
        /// second one): the provider's answer cannot be matched to this browser's sign-out.
        case unmatched
    }

    /// A new state, and the cookie that binds it to this browser.
    func issue() throws -> (state: String, cookie: SetCookie) {
        let state = try SessionToken.generate().cookieValue
        return (state, try cookie.setCookie(value: state))
    }

    /// Matches the request's `state` against the browser's cookie, in constant time.
    func check(_ request: Request) -> Return {
        let returned = (try? request.query)?.all("state") ?? []
        let pending = cookie.presented(in: request)?.cookieValue
        switch (returned.count, pending) {
        case (0, nil): return .plain
        case (1, let pending?): return Digest.constantTimeEqual(returned[0], pending) ? .confirmed : .unmatched
        default: return .unmatched
        }
    }

    /// Clears the cookie: a state is good for one return.
    func removal() throws -> SetCookie {
        try cookie.removal()
    }
}
