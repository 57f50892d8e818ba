import Foundation
import Testing
import TestSupport
@testable import Gatehouse

/// The issue's "done": a person in a real slapd signs in on Gatehouse's page and reaches an
/// nginx-protected application (the README's nginx block) with their directory groups; a
/// person outside the required group gets nginx's 403; a sync that finds them gone ends the
/// session at the next request.
@Suite(.serialized) struct DirectoryNginxTests {
    final class Rig {
        let directory: URL
        let slapd: SlapdServer
        let gatehouse: RunningGatehouse
        let nginx: ExternalServer
        let origin: String

        init() throws {
            guard let nginxPath = NginxForwardAuthTests.Rig.proxyCandidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw TestClient.Failure(description: "nginx is not installed: make test installs nginx-light")
            }
            directory = try temporaryDirectory()
            slapd = try SlapdServer(ldif: DirectorySignInTests.ldif)
            let nginxPort = try ExternalServer.freePort()
            let appPort = try ExternalServer.freePort()
            origin = "http://127.0.0.1:\(nginxPort)"
            do {
                gatehouse = try RunningGatehouse(
                    publicURL: origin, serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#,
                    sections: """
                        , "directories": [{"slug": "corp", "name": "Corporate directory", "uris": ["\(slapd.uri)"],
                          "ca_file": "\(slapd.caFile)", "bind_dn": "\(SlapdServer.serviceDN)",
                          "bind_password": "\(SlapdServer.servicePassword)", "base_dn": "\(SlapdServer.suffix)",
                          "group_base_dn": "\(DirectoryFixture.groups)", "email_trusted": true, "username_claim_trusted": true, "sync_max_deactivation_percent": 50}],
                        "forward_auth": {"protected_hosts": [{"url": "\(origin)", "required_groups": ["staff"]}]}
                        """
                )
            } catch {
                slapd.stop()
                throw error
            }
            do {
                nginx = try NginxForwardAuthTests.Rig.startNginx(
                    executable: nginxPath, in: directory, nginxPort: nginxPort, appPort: appPort, gatehousePort: gatehouse.port
                )
            } catch {
                gatehouse.stop()
                slapd.stop()
                throw error
            }
        }

        func stop() {
            nginx.stop()
            gatehouse.stop()
            slapd.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Follows nginx to the sign-in page, fills in the form, and returns Gatehouse's answer.
        func signIn(_ browser: BrowserClient, _ identifier: String, _ password: String, appURL: String) throws -> BrowserClient.Page {
            let signedOut = try browser.get(appURL)
            try #require(signedOut.status == 302)
            let login = try browser.get(try #require(signedOut.location))
            return try postLoginForm(login, identifier: identifier, password: password, origin: origin, browser: browser)
        }
    }

    @Test func aDirectoryPersonReachesTheAppWithTheirGroups() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let appURL = "\(rig.origin)/app/index.html"
        let alice = BrowserClient()
        let finished = try rig.signIn(alice, "alice", "alice-pw", appURL: appURL)
        #expect(finished.status == 303)
        #expect(finished.location == appURL)
        let app = try alice.get(appURL)
        #expect(app.status == 200)
        #expect(app.text.contains("Hello from the protected app"))
        #expect(app.header("X-App-Remote-User") == "alice")
        #expect(app.header("X-App-Groups") == "staff")

        let bob = BrowserClient()
        #expect(try rig.signIn(bob, "bob", "bob-pw", appURL: appURL).status == 303)
        #expect(try bob.get(appURL).status == 403, "bob is in no directory group")

        try rig.slapd.modify("dn: uid=alice,\(DirectoryFixture.people)\nchangetype: delete\n")
        let report = try rig.gatehouse.app.administration.syncDirectory("corp", dryRun: false, by: .commandLine)
        #expect(report.deactivated == 1)
        let after = try alice.get(appURL)
        #expect(after.status == 302, "the session ended with the entry")
        #expect(after.header("X-App-Remote-User") == nil)
    }
}
