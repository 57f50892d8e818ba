import DevProvider
import Foundation
import Logging
import Testing
import TestSupport
@testable import Gatehouse

/// A test rig with Gatehouse behind a real reverse proxy (nginx, Caddy), reached by the
/// browser only through the proxy.
protocol ForwardAuthProxyRig {
    /// The proxy's name, for messages.
    static var proxyName: String { get }
    /// Where the proxy's executable may be, in order of preference.
    static var proxyCandidates: [String] { get }
    /// The Debian package `make test` installs it from.
    static var proxyPackage: String { get }

    init(proxyPath: String) throws
    func stop()
    /// What the proxy wrote, recorded when a test fails.
    var proxyOutput: String { get }
    /// The origin where the proxy serves Gatehouse's own pages (sign-in, provider callback).
    var gatehouseOrigin: String { get }
}

extension ForwardAuthProxyRig {
    /// Runs `body` with a started rig and stops it afterwards, recording the proxy's output
    /// when `body` throws. Without the proxy installed, records one issue saying how to get it.
    static func with(_ body: (Self) throws -> Void) throws {
        guard let path = proxyCandidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("\(proxyName) is not installed (looked at \(proxyCandidates)): run `make test`, which installs \(proxyPackage)")
            return
        }
        let rig = try Self(proxyPath: path)
        defer { rig.stop() }
        do {
            try body(rig)
        } catch {
            Issue.record("\(proxyName)'s output:\n\(rig.proxyOutput)")
            throw error
        }
    }

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

/// What both proxy rigs start behind their proxy: the development provider, and Gatehouse with
/// it as provider `dev`, its public URL on the proxy, and the proxy (loopback) trusted. The
/// provider's username claim is declared trusted (its tenant sets it), so the application is
/// told the username; untrusted, it would get the user's stable id (`ForwardAuthEndpointTests`).
struct ProxiedGatehouse {
    let provider: DevProvider
    let gatehouse: RunningGatehouse

    /// `sections` are extra top-level config members, each with a leading comma.
    init(publicURL: String, sections: String, clock: TestClock) throws {
        var options = DevProviderOptions()
        options.port = 0
        options.redirectURIs = ["\(publicURL)/oidc/dev/callback"]
        var logger = Logger(label: "dev-idp-test")
        logger.logLevel = .critical
        provider = try DevProvider(options: options, logger: logger, clock: clock.function)
        try provider.start()
        do {
            gatehouse = try RunningGatehouse(
                publicURL: publicURL,
                providers: """
                    [{"slug": "dev", "name": "Development", "issuer": "\(provider.issuer)", "client_id": "\(options.clientID)",
                      "client_secret": "\(options.clientSecret)", "username_claim_trusted": true}]
                    """,
                serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#,
                sections: sections,
                clock: clock.function
            )
        } catch {
            provider.shutdown()
            throw error
        }
    }
}
