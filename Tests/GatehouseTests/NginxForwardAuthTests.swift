import DevProvider
import Foundation
import Logging
import Store
import Testing
import TestSupport
@testable import Gatehouse

/// Forward-auth end to end through a real nginx (Debian `nginx-light`, installed by `make test`):
/// nginx serves a small application behind `auth_request` and proxies Gatehouse's own paths,
/// so the browser sees one origin. The nginx configuration is the README's, with ports and
/// paths filled in.
@Suite(.serialized) struct NginxForwardAuthTests {

    /// Gatehouse, the development provider, the application and nginx in front of both.
    final class Rig: ForwardAuthProxyRig {
        static let proxyName = "nginx"
        static let proxyCandidates = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        static let proxyPackage = "nginx-light"
        let directory: URL
        let clock = TestClock()
        let provider: DevProvider
        let gatehouse: RunningGatehouse
        let nginx: ExternalServer
        let origin: String
        /// A second protected host on nginx, the same server block on another port, whose
        /// entry has no rules at all.
        let laxOrigin: String

        init(proxyPath nginxPath: String) throws {
            directory = try temporaryDirectory()
            let nginxPort = try ExternalServer.freePort()
            let laxPort = try ExternalServer.freePort()
            let appPort = try ExternalServer.freePort()
            origin = "http://127.0.0.1:\(nginxPort)"
            laxOrigin = "http://127.0.0.1:\(laxPort)"

            // Users reach Gatehouse through nginx (public_url is nginx's origin), which is also
            // the protected application's origin. The groups claim is `preferred_username` here,
            // the one the development provider lets us choose, so a group rule can be tested.
            let started = try ProxiedGatehouse(
                publicURL: origin,
                sections: """
                    , "forward_auth": {"groups_claim": "preferred_username",
                      "protected_hosts": [{"url": "\(origin)", "allowed_email_domains": ["example.com"], "required_groups": ["alice"]},
                                          {"url": "\(laxOrigin)"}]}
                    """,
                clock: clock
            )
            provider = started.provider
            gatehouse = started.gatehouse

            do {
                nginx = try Self.startNginx(
                    executable: nginxPath, in: directory, nginxPort: nginxPort, appPort: appPort, gatehousePort: gatehouse.port,
                    secondPort: laxPort
                )
            } catch {
                gatehouse.stop()
                provider.shutdown()
                throw error
            }
        }

        /// nginx in `directory` in front of the application's static page and Gatehouse, as
        /// the README's block configures it (on `secondPort` too, when given): the one place the
        /// tests start it.
        static func startNginx(
            executable nginxPath: String, in directory: URL, nginxPort: UInt16, appPort: UInt16, gatehousePort: UInt16,
            secondPort: UInt16? = nil
        ) throws -> ExternalServer {
            let www = directory.appendingPathComponent("www/app")
            try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            try "<!doctype html><title>The app</title><p>Hello from the protected app</p>\n"
                .write(to: www.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            // A page of the application whose path begins like one of Gatehouse's (`/account`).
            try "<!doctype html><title>Accounting</title><p>The application's accounting page</p>\n"
                .write(to: directory.appendingPathComponent("www/accounting.html"), atomically: true, encoding: .utf8)
            // nginx workers may run as another user when the tests run as root.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            let configPath = directory.appendingPathComponent("nginx.conf").path
            try nginxConfig(directory: directory.path, nginxPort: nginxPort, appPort: appPort, gatehousePort: gatehousePort, secondPort: secondPort)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            return try ExternalServer(
                executable: nginxPath,
                arguments: ["-p", directory.path, "-e", directory.appendingPathComponent("error.log").path, "-c", configPath],
                port: nginxPort, logPath: directory.appendingPathComponent("nginx.out").path
            )
        }

        /// Gatehouse's pages and the application share nginx's one origin.
        var gatehouseOrigin: String { origin }

        func stop() {
            nginx.stop()
            gatehouse.stop()
            provider.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }

        var proxyOutput: String {
            (try? String(contentsOfFile: directory.appendingPathComponent("error.log").path, encoding: .utf8)) ?? ""
        }

        /// The README's nginx snippet, plus a server block standing in for the application: it
        /// serves a static page and echoes the identity headers it received.
        static func nginxConfig(directory: String, nginxPort: UInt16, appPort: UInt16, gatehousePort: UInt16, secondPort: UInt16?) -> String {
            func body(port: UInt16) -> String {
                Self.readmeServerBody(gatehouse: "gatehouse", application: "http://127.0.0.1:\(appPort)", publicHost: "127.0.0.1:\(port)")
            }
            let second = secondPort.map { port in "server {\n        listen 127.0.0.1:\(port);\n\(body(port: port))\n    }" } ?? ""
            return """
            daemon off;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log info;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(directory)/tmp/body;
                proxy_temp_path \(directory)/tmp/proxy;
                fastcgi_temp_path \(directory)/tmp/fastcgi;
                uwsgi_temp_path \(directory)/tmp/uwsgi;
                scgi_temp_path \(directory)/tmp/scgi;
                types { text/html html; }

                upstream gatehouse { server 127.0.0.1:\(gatehousePort); }

                # The application: static files, and the identity headers it was given, echoed
                # back so the test can see what reached it.
                server {
                    listen 127.0.0.1:\(appPort);
                    root \(directory)/www;
                    add_header X-App-Remote-User $http_remote_user always;
                    add_header X-App-Remote-Email $http_remote_email always;
                    add_header X-App-Groups $http_x_auth_request_groups always;
                    add_header X-App-User $http_x_auth_request_user always;
                    add_header X-App-Email $http_x_auth_request_email always;
                    add_header X-App-Username $http_x_auth_request_preferred_username always;
                }

                server {
                    listen 127.0.0.1:\(nginxPort);

            \(body(port: nginxPort))
                }
                \(second)
            }
            """
        }

        /// Exactly the body of the README's `server { ... }` block, with the upstreams named.
        static func readmeServerBody(gatehouse: String, application: String, publicHost: String) -> String {
            """
                    # The application's public host as browsers name it (with its port unless it
                    # is the scheme's default): the host whose rules Gatehouse applies. Never the
                    # client's Host header, which can name another protected host than this block
                    # serves, nor nginx's own port, which a port mapping in front can change.
                    set $gatehouse_host \(publicHost);

                    # Gatehouse's own pages on this origin: sign-in and sign-out, the account page,
                    # the provider's callback and back-channel logout, /static/ (Gatehouse's on this
                    # origin), /api/v1/me; whole path segments, so the app keeps its /accounting.
                    location ~ ^/((login|logout|signed-out|account)(/|$)|(oidc|static)/|api/v1/me$) {
                        proxy_pass http://\(gatehouse);
                        proxy_set_header Host $gatehouse_host;
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Host $gatehouse_host;
                    }

                    # The session check nginx makes before every request to the application.
                    location = /_gatehouse_verify {
                        internal;
                        proxy_pass http://\(gatehouse)/auth/verify;
                        proxy_pass_request_body off;
                        proxy_set_header Content-Length "";
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Host $gatehouse_host;
                        proxy_set_header X-Forwarded-Uri $request_uri;
                    }

                    # Not signed in: Gatehouse answers /auth/verify?rd=1 with a redirect to its
                    # sign-in page, next= set to this very URL (percent-encoded and checked).
                    location @gatehouse_signin {
                        rewrite ^ /auth/verify?rd=1? break;
                        proxy_pass http://\(gatehouse);
                        proxy_method GET;
                        proxy_pass_request_body off;
                        proxy_set_header Content-Length "";
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Host $gatehouse_host;
                        proxy_set_header X-Forwarded-Uri $request_uri;
                    }

                    location / {
                        auth_request /_gatehouse_verify;
                        error_page 401 = @gatehouse_signin;
                        auth_request_set $gatehouse_user $upstream_http_x_auth_request_user;
                        auth_request_set $gatehouse_username $upstream_http_x_auth_request_preferred_username;
                        auth_request_set $gatehouse_email $upstream_http_x_auth_request_email;
                        auth_request_set $gatehouse_groups $upstream_http_x_auth_request_groups;
                        # Every identity header Gatehouse answers with is set here, so a client's own
                        # header of any of these names never reaches the application.
                        proxy_set_header Remote-User $gatehouse_user;
                        proxy_set_header X-Auth-Request-User $gatehouse_user;
                        proxy_set_header X-Auth-Request-Preferred-Username $gatehouse_username;
                        proxy_set_header Remote-Email $gatehouse_email;
                        proxy_set_header X-Auth-Request-Email $gatehouse_email;
                        proxy_set_header X-Auth-Request-Groups $gatehouse_groups;
                        # A page behind a sign-in is asked for again, not shown from the browser's
                        # cache once the session has ended.
                        add_header Cache-Control "private, no-cache" always;
                        proxy_pass \(application);
                    }
            """
        }
    }

    @Test("signed out → sign-in with next → the app with identity headers → revoked → refused at once")
    func roundTrip() throws {
        try Rig.with { rig in
            let browser = BrowserClient()
            let appURL = "\(rig.origin)/app/index.html?tab=1"

            // 1. Signed out: nginx asks Gatehouse, which sends the browser to sign in with next = the app URL.
            let signedOut = try browser.get(appURL)
            #expect(signedOut.status == 302)
            let toLogin = try #require(signedOut.location)
            #expect(toLogin.hasPrefix("\(rig.origin)/login?next="))
            #expect(BrowserClient.queryItem("next", of: toLogin) == appURL)

            // 2. Sign in through the development provider with that next (the /login page is
            // another piece of work; its provider buttons lead to this same authorize URL).
            let next = try #require(BrowserClient.queryItem("next", of: toLogin))
            let finished = try rig.signIn(browser, username: "alice", email: "alice@example.com", next: next)
            #expect(finished.status == 303)
            #expect(finished.location == appURL, "back to the page first asked for")

            // 3. The application is served, with the identity headers nginx took from Gatehouse;
            // a Remote-User the client sends itself is replaced, never passed through.
            let app = try browser.get(appURL, headers: [("Remote-User", "admin")])
            #expect(app.status == 200)
            #expect(app.text.contains("Hello from the protected app"))
            #expect(app.header("X-App-Remote-User") == "alice")
            #expect(app.header("X-App-Remote-Email") == "alice@example.com")
            #expect(app.header("X-App-Groups") == "alice")
            #expect(app.header("Cache-Control") == "private, no-cache", "the browser must ask again, not reuse its cache")

            // 4. Revoked (as sign-out or an administrator will do): the very next request is refused.
            let userID = try #require(try rig.gatehouse.database.read { connection in
                try connection.queryOne("SELECT id FROM users WHERE username = 'alice'")?.int64("id")
            })
            #expect(try rig.gatehouse.app.sessions.revokeAll(userID: userID, now: rig.clock.now) == 1)
            let afterRevoke = try browser.get(appURL)
            #expect(afterRevoke.status == 302)
            #expect(afterRevoke.location?.hasPrefix("\(rig.origin)/login?next=") == true)
            #expect(afterRevoke.header("X-App-Remote-User") == nil)
        }
    }

    @Test("a signed-in person who fails the host's rules gets nginx's 403")
    func rulesRefuseWith403() throws {
        try Rig.with { rig in
            let appURL = "\(rig.origin)/app/index.html"
            // bob's only group (his preferred_username) is not the required "alice".
            let bob = BrowserClient()
            _ = try rig.signIn(bob, username: "bob", email: "bob@example.com", next: appURL)
            #expect(try bob.get(appURL).status == 403)
            // alice, but with an email at a domain the host does not allow.
            let other = BrowserClient()
            _ = try rig.signIn(other, username: "alice", email: "alice@example.org", next: appURL)
            #expect(try other.get(appURL).status == 403)
        }
    }

    /// Review finding: the README's block told Gatehouse the client's own `Host` header
    /// (`$http_host`) as the host being asked for, while nginx served the server block its
    /// listener (or the request line) chose: a person refused by one protected host's rules
    /// named a host without rules and was let into the first.
    @Test("a Host header naming another protected host does not get its rules: the host nginx serves is the one checked")
    func hostHeaderCannotChooseTheRules() throws {
        try Rig.with { rig in
            let appURL = "\(rig.origin)/app/index.html"
            let bob = BrowserClient()  // not in the group the strict host requires
            _ = try rig.signIn(bob, username: "bob", email: "bob@example.com", next: appURL)
            #expect(try bob.get(appURL).status == 403)
            #expect(try bob.get("\(rig.laxOrigin)/app/index.html").status == 200, "the host without rules lets him in")

            let port = try #require(URLComponents(string: rig.origin)?.port)
            let laxHost = rig.laxOrigin.dropFirst("http://".count)
            let cookies = bob.cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
            for target in ["/app/index.html", "\(appURL)"] {
                let client = try TestClient(port: UInt16(port))
                try client.send("GET \(target) HTTP/1.1\r\nHost: \(laxHost)\r\nCookie: \(cookies)\r\nConnection: close\r\n\r\n")
                let answer = try client.readResponse()
                #expect(answer.status == 403, "\(target) with Host \(laxHost): \(answer.status)")
                #expect(!answer.text.contains("Hello from the protected app"))
            }
        }
    }

    /// Review finding: the README's block set `Remote-User`, `Remote-Email` and the groups, but
    /// a client's own `X-Auth-Request-User`, `-Email` and `-Preferred-Username`, names
    /// Gatehouse answers with too, went through to the application unchanged.
    @Test("a client's own identity headers, of every name Gatehouse answers with, never reach the application")
    func clientIdentityHeadersAreReplaced() throws {
        try Rig.with { rig in
            let browser = BrowserClient()
            let appURL = "\(rig.origin)/app/index.html"
            _ = try rig.signIn(browser, username: "alice", email: "alice@example.com", next: appURL)
            let forged = ["Remote-User", "Remote-Email", "X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "X-Auth-Request-Groups"]
            let app = try browser.get(appURL, headers: forged.map { ($0, "ceo@evil.example") })
            #expect(app.status == 200)
            #expect(app.header("X-App-Remote-User") == "alice")
            #expect(app.header("X-App-User") == "alice")
            #expect(app.header("X-App-Username") == "alice")
            #expect(app.header("X-App-Remote-Email") == "alice@example.com")
            #expect(app.header("X-App-Email") == "alice@example.com")
            #expect(app.header("X-App-Groups") == "alice")
        }
    }

    /// Review findings: the README's block sent only sign-in, callback, assets and the API to
    /// Gatehouse; the account page and the page a provider's sign-out returns to went to the
    /// application (its 404), and a pattern without segment ends would have taken the
    /// application's `/accounting` from it. A second review: it also put the whole admin API on
    /// the application's origin, and `/auth/verify` with the client's own `X-Forwarded-Uri`.
    @Test("the account page, the signed-out page and /api/v1/me are Gatehouse's through the proxy; the app keeps /accounting, and neither the admin API nor /auth/verify is on its origin")
    func gatehousePagesAndTheAppsOwnPaths() throws {
        try Rig.with { rig in
            let browser = BrowserClient()
            _ = try rig.signIn(browser, username: "alice", email: "alice@example.com", next: "\(rig.origin)/app/index.html")
            let account = try browser.get("\(rig.origin)/account")
            #expect(account.status == 200)
            #expect(account.text.contains("Your account · Gatehouse"))
            #expect(account.header("X-App-Remote-User") == nil, "served by Gatehouse, not the application")
            let signedOut = try BrowserClient().get("\(rig.origin)/signed-out")
            #expect(signedOut.status == 200)
            #expect(signedOut.text.contains("· Gatehouse</title>"))
            let accounting = try browser.get("\(rig.origin)/accounting.html")
            #expect(accounting.status == 200)
            #expect(accounting.text.contains("The application's accounting page"))
            #expect(accounting.header("X-App-Remote-User") == "alice", "behind the session check, as every page of the application")
            // Only /api/v1/me of the API is on this origin; the admin API and forward-auth's own
            // endpoint are reached by the proxy alone, never by a browser here.
            let me = try browser.get("\(rig.origin)/api/v1/me")
            #expect(me.status == 200 && me.text.contains("\"alice\""), "\(me.text)")
            for path in ["/api/v1/admin/users", "/auth/verify"] {
                let answer = try browser.get("\(rig.origin)\(path)")
                #expect(answer.status == 404 && answer.header("X-App-Remote-User") == "alice", "\(path) is the application's: \(answer.status)")
            }
            // nginx resolves this to /login and sends it to Gatehouse with the raw path, which
            // names the admin API: refused there, never answered as either (review finding).
            let twoMeanings = try browser.get("\(rig.origin)/api/v1/admin/users/..%2F..%2F..%2F..%2Flogin")
            #expect(twoMeanings.status == 400, "\(twoMeanings.status) \(twoMeanings.text)")
        }
    }

    @Test("a next for another origin is dropped by the sign-in: no open redirect through the proxy")
    func foreignNextIsRefused() throws {
        try Rig.with { rig in
            let browser = BrowserClient()
            let finished = try rig.signIn(browser, username: "alice", email: "alice@example.com", next: "https://evil.example/")
            #expect(finished.status == 303)
            #expect(finished.location == "\(rig.origin)/")
        }
    }

    @Test("the README's nginx server block is the one this suite runs")
    func readmeShowsTheTestedConfiguration() throws {
        let body = Rig.readmeServerBody(gatehouse: "gatehouse", application: "http://127.0.0.1:3000", publicHost: "app.example.com")
        #expect(ReadmeSnippet.contains(try ReadmeSnippet.readme, body), "README.md must hold, indentation aside:\n\(body)")
    }
}
