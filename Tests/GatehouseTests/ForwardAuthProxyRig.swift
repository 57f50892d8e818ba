import TestSupport

/// A test rig with Gatehouse behind a real reverse proxy (nginx, Caddy), reached by the
/// browser only through the proxy.
protocol ForwardAuthProxyRig {
    /// The origin where the proxy serves Gatehouse's own pages (sign-in, provider callback).
    var gatehouseOrigin: String { get }
}

extension ForwardAuthProxyRig {
    /// Starts at `authorize` (through the proxy) with `next`, fills in the development
    /// provider's form as `username` (who is also the one group, the rigs' groups claim being
    /// `preferred_username`), and follows the callback; returns Gatehouse's answer to it.
    /// An empty `email` signs in without one.
    func signIn(_ browser: BrowserClient, username: String, email: String, next: String) throws -> BrowserClient.Page {
        let person = SignInRig.Person(
            subject: "\(username)-subject", email: email, emailVerified: true, name: username, preferredUsername: username
        )
        return try browser.get(SignInRig.authorizeAtProvider(person, next: next, gatehouseOrigin: gatehouseOrigin, browser: browser))
    }
}
