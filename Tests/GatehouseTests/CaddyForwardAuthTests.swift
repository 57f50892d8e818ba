import DevProvider
import Foundation
import Logging
import Store
import Testing
import TestSupport
@testable import Gatehouse

/// Forward-auth end to end through a real Caddy (Debian `caddy`, installed by `make test`), in
/// the README's layout: Gatehouse on its own host, the application on another, one session
/// cookie for both through `sessions.cookie_domain`. The two hosts are made-up names under
/// `.test` (reserved, never resolved) that the test's browser connects to on loopback, so
/// cookies and `Host` headers behave as with real names. The Caddy sites are the README's, with
/// hosts and ports filled in.
@Suite(.serialized) struct CaddyForwardAuthTests {
    static let appHost = "app.gatehouse.test"
    static let loginHost = "login.gatehouse.test"
    static let cookieDomain = "gatehouse.test"

    /// Gatehouse, the development provider, and Caddy serving both the application and Gatehouse.
    final class Rig: ForwardAuthProxyRig {
        static let proxyName = "caddy"
        static let proxyCandidates = ["/usr/bin/caddy", "/usr/local/bin/caddy"]
        static let proxyPackage = "caddy"
        let directory: URL
        let clock = TestClock()
        let provider: DevProvider
        let gatehouse: RunningGatehouse
        let caddy: ExternalServer
        /// Where the browser finds the application and Gatehouse: two names, one Caddy port.
        let appOrigin: String
        let gatehouseOrigin: String

        init(proxyPath caddyPath: String) throws {
            directory = try temporaryDirectory()
            let caddyPort = try ExternalServer.freePort()
            let appPort = try ExternalServer.freePort()
            appOrigin = "http://\(CaddyForwardAuthTests.appHost):\(caddyPort)"
            gatehouseOrigin = "http://\(CaddyForwardAuthTests.loginHost):\(caddyPort)"

            // The README's configuration: public_url is the sign-in host, the cookie is set for
            // the parent domain, the application's origin is a protected host. The groups claim
            // is `preferred_username`, the one the development provider lets us choose, so a
            // group rule can be tested.
            let started = try ProxiedGatehouse(
                publicURL: gatehouseOrigin,
                sections: """
                    , "sessions": {"cookie_domain": "\(CaddyForwardAuthTests.cookieDomain)"},
                    "forward_auth": {"groups_claim": "preferred_username",
                      "protected_hosts": [{"url": "\(appOrigin)", "required_groups": ["alice"]}]}
                    """,
                clock: clock
            )
            provider = started.provider
            gatehouse = started.gatehouse

            let configPath = directory.appendingPathComponent("Caddyfile").path
            try Self.caddyfile(caddyPort: caddyPort, appPort: appPort, gatehousePort: gatehouse.port)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            // Caddy keeps its storage (certificates, locks) and autosaved configuration under
            // these; pointing them here keeps it away from /var/lib/caddy and the user's home.
            let home = directory.appendingPathComponent("home").path
            do {
                caddy = try ExternalServer(
                    executable: caddyPath,
                    arguments: ["run", "--config", configPath, "--adapter", "caddyfile"],
                    port: caddyPort,
                    environment: [
                        "HOME": home, "XDG_DATA_HOME": "\(home)/data", "XDG_CONFIG_HOME": "\(home)/config",
                    ],
                    logPath: directory.appendingPathComponent("caddy.log").path
                )
            } catch {
                gatehouse.stop()
                provider.shutdown()
                throw error
            }
        }

        var proxyOutput: String { caddy.output }

        /// A browser that finds both made-up host names on loopback.
        func browser() -> BrowserClient {
            let browser = BrowserClient()
            browser.addresses[CaddyForwardAuthTests.appHost] = "127.0.0.1"
            browser.addresses[CaddyForwardAuthTests.loginHost] = "127.0.0.1"
            return browser
        }

        func stop() {
            caddy.stop()
            gatehouse.stop()
            provider.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }

        /// The README's Caddy sites, run on loopback: global options that keep this Caddy to
        /// itself (no admin endpoint, no certificates, loopback only), the application standing
        /// in on a port of its own, and the two sites with `http://` addresses and real ports.
        static func caddyfile(caddyPort: UInt16, appPort: UInt16, gatehousePort: UInt16) -> String {
            """
            {
                admin off
                auto_https off
                default_bind 127.0.0.1
            }

            # The application: a page, and the identity headers it was given, echoed back so the
            # test can see what reached it.
            http://:\(appPort) {
                header X-App-Remote-User {http.request.header.Remote-User}
                header X-App-Remote-Email {http.request.header.Remote-Email}
                header X-App-User {http.request.header.X-Auth-Request-User}
                header X-App-Email {http.request.header.X-Auth-Request-Email}
                header X-App-Groups {http.request.header.X-Auth-Request-Groups}
                header X-App-Preferred-Username {http.request.header.X-Auth-Request-Preferred-Username}
                respond "Hello from the protected app" 200
            }

            \(readmeSites(
                app: "http://\(CaddyForwardAuthTests.appHost):\(caddyPort)",
                login: "http://\(CaddyForwardAuthTests.loginHost):\(caddyPort)",
                gatehouse: "127.0.0.1:\(gatehousePort)",
                application: "127.0.0.1:\(appPort)"
            ))
            """
        }

        /// Exactly the README's Caddy snippet, with the site addresses and upstreams filled in.
        static func readmeSites(app: String, login: String, gatehouse: String, application: String) -> String {
            """
            \(app) {
                # A page behind a sign-in is asked for again, not shown from the browser's cache
                # once the session has ended (unless the application says how to cache it).
                header ?Cache-Control "private, no-cache"
                route {
                    # Identity headers come from Gatehouse alone: drop any the client sent.
                    request_header -Remote-*
                    request_header -X-Auth-Request-*
                    forward_auth \(gatehouse) {
                        uri /auth/verify?rd=1
                        copy_headers X-Auth-Request-User X-Auth-Request-Email X-Auth-Request-Groups Remote-User Remote-Email
                    }
                    reverse_proxy \(application)
                }
            }

            \(login) {
                reverse_proxy \(gatehouse)
            }
            """
        }
    }

    @Test("signed out → sign-in on the login host with next → the app host with identity headers → revoked → refused at once")
    func roundTrip() throws {
        try Rig.with { rig in
            let browser = rig.browser()
            let appURL = "\(rig.appOrigin)/app/index.html?tab=1"

            // 1. Signed out: Caddy passes on Gatehouse's redirect to the sign-in host, with next =
            // the app URL rebuilt from the X-Forwarded-* headers Caddy set itself (a client's
            // own X-Forwarded-Host is not believed). Gatehouse's no-store is kept.
            let signedOut = try browser.get(appURL, headers: [("X-Forwarded-Host", "evil.example")])
            #expect(signedOut.status == 302)
            let toLogin = try #require(signedOut.location)
            #expect(toLogin.hasPrefix("\(rig.gatehouseOrigin)/login?next="))
            #expect(BrowserClient.queryItem("next", of: toLogin) == appURL)
            #expect(signedOut.header("Cache-Control") == "no-store")
            #expect(try browser.get(toLogin).status == 200, "the sign-in page, served through the login site")

            // 2. Sign in through the development provider with that next, on the login host; the
            // session cookie is set for the parent domain, so the app host gets it too.
            let next = try #require(BrowserClient.queryItem("next", of: toLogin))
            let finished = try rig.signIn(browser, username: "alice", email: "alice@example.com", next: next)
            #expect(finished.status == 303)
            #expect(finished.location == appURL, "back to the page first asked for, on the other host")
            let session = try #require(browser.cookie(named: rig.gatehouse.app.config.sessionCookieName))
            #expect(session.host == CaddyForwardAuthTests.cookieDomain && !session.hostOnly)

            // 3. The application is served, with the identity headers Gatehouse set; every one
            // the client sends itself is replaced or dropped, never passed through.
            let app = try browser.get(appURL, headers: [
                ("Remote-User", "admin"), ("Remote-Email", "admin@evil.example"), ("X-Auth-Request-User", "admin"),
                ("X-Auth-Request-Groups", "admins"), ("X-Auth-Request-Preferred-Username", "admin"),
            ])
            #expect(app.status == 200)
            #expect(app.text.contains("Hello from the protected app"))
            #expect(app.header("X-App-Remote-User") == "alice")
            #expect(app.header("X-App-Remote-Email") == "alice@example.com")
            #expect(app.header("X-App-User") == "alice")
            #expect(app.header("X-App-Email") == "alice@example.com")
            #expect(app.header("X-App-Groups") == "alice")
            #expect(app.header("X-App-Preferred-Username") == "", "not copied, and the client's own was dropped")
            #expect(app.header("Cache-Control") == "private, no-cache", "the browser must ask again, not reuse its cache")

            // 4. Revoked (as sign-out or an administrator will do): the very next request is refused.
            let userID = try #require(try rig.gatehouse.database.read { connection in
                try connection.queryOne("SELECT id FROM users WHERE username = 'alice'")?.int64("id")
            })
            #expect(try rig.gatehouse.app.sessions.revokeAll(userID: userID, now: rig.clock.now) == 1)
            let afterRevoke = try browser.get(appURL)
            #expect(afterRevoke.status == 302)
            #expect(afterRevoke.location?.hasPrefix("\(rig.gatehouseOrigin)/login?next=") == true)
            #expect(afterRevoke.header("X-App-Remote-User") == nil)
        }
    }

    @Test("an identity header Gatehouse leaves out (no email) is not the client's own at the app")
    func absentIdentityHeaderIsNotForgeable() throws {
        try Rig.with { rig in
            let browser = rig.browser()
            let appURL = "\(rig.appOrigin)/"
            _ = try rig.signIn(browser, username: "alice", email: "", next: appURL)
            let app = try browser.get(appURL, headers: [("Remote-Email", "admin@evil.example"), ("X-Auth-Request-Email", "admin@evil.example")])
            #expect(app.status == 200)
            #expect(app.header("X-App-Remote-User") == "alice")
            // Never the client's value, nor Caddy's placeholder text: Gatehouse sends the
            // headers empty, so there is always one to copy (see the README).
            for (echo, name) in [("X-App-Remote-Email", "Remote-Email"), ("X-App-Email", "X-Auth-Request-Email")] {
                let value = app.header(echo)
                #expect(value == "", "\(name) reached the app as \(value ?? "nothing")")
            }
        }
    }

    @Test("a signed-in person who fails the host's rules gets Gatehouse's 403 through Caddy")
    func rulesRefuseWith403() throws {
        try Rig.with { rig in
            let appURL = "\(rig.appOrigin)/"
            // bob's only group (his preferred_username) is not the required "alice".
            let bob = rig.browser()
            let finished = try rig.signIn(bob, username: "bob", email: "bob@example.com", next: appURL)
            #expect(finished.location == appURL)
            let refused = try bob.get(appURL)
            #expect(refused.status == 403)
            #expect(refused.text.hasPrefix("Forbidden"))
            #expect(refused.header("X-App-Remote-User") == nil, "the application is never reached")
            #expect(refused.header("Cache-Control") == "no-store")
        }
    }

    @Test("the README's Caddy sites are the ones this suite runs")
    func readmeShowsTheTestedConfiguration() throws {
        let sites = Rig.readmeSites(
            app: "app.example.com", login: "login.example.com", gatehouse: "127.0.0.1:8080", application: "127.0.0.1:3000"
        )
        #expect(ReadmeSnippet.contains(try ReadmeSnippet.readme, sites), "README.md must hold, indentation aside:\n\(sites)")
    }
}
