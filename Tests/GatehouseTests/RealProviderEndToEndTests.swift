import Foundation
import Testing
import TestSupport

/// Sign-in against an OpenID Provider nobody here wrote: `oidc-provider-mock` from PyPI
/// (Flask and Authlib underneath), installed by `make test` into var/venv. Discovery, the
/// token exchange, the ID token's RS256 signature, userinfo and /api/v1/me are all real.
@Suite(.serialized) struct RealProviderEndToEndTests {
    static let executable = packageRoot + "/var/venv/bin/oidc-provider-mock"

    private func withMockProvider(_ body: (_ issuer: String) throws -> Void) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            Issue.record("oidc-provider-mock is not installed at \(Self.executable): run `make test`, which installs it")
            return
        }
        let port = try ExternalServer.freePort()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try ExternalServer(
            executable: Self.executable, arguments: ["--port", "\(port)", "--require-nonce", "true"], port: port,
            logPath: directory.appendingPathComponent("oidc-provider-mock.log").path
        )
        defer { mock.stop() }
        do {
            try body("http://127.0.0.1:\(port)")
        } catch {
            Issue.record("oidc-provider-mock's output:\n\(mock.output)")
            throw error
        }
    }

    /// Registers a person with the mock (PUT /users/{sub}), then signs in as them.
    @Test func signInThroughOIDCProviderMock() throws {
        try withMockProvider { issuer in
            let registration = try BrowserClient().send(
                "PUT", "\(issuer)/users/carol", headers: [("Content-Type", "application/json")],
                body: Array(#"{"email": "carol@example.org", "email_verified": true, "name": "Carol Mock", "preferred_username": "carol"}"#.utf8)
            )
            #expect(registration.status == 204)

            let gatehouse = try RunningGatehouse(providers: """
                [{"slug": "mock", "name": "oidc-provider-mock", "issuer": "\(issuer)",
                  "client_id": "gatehouse-e2e", "client_secret": "e2e-secret"}]
                """)
            defer { gatehouse.stop() }
            let browser = BrowserClient()

            let start = try browser.get("\(gatehouse.origin)/oidc/mock/authorize?next=%2Fdone")
            let authorizeURL = try #require(start.location, "\(start.status) \(start.text)")
            #expect(authorizeURL.hasPrefix("\(issuer)/oauth2/authorize?"))
            #expect(BrowserClient.queryItem("code_challenge_method", of: authorizeURL) == "S256")

            let form = try browser.get(authorizeURL)
            #expect(form.status == 200)
            // The mock's form posts `sub` back to the same URL.
            let answer = try browser.postForm(authorizeURL, [("sub", "carol")])
            let callback = try #require(answer.location, "\(answer.status) \(answer.text)")
            #expect(callback.hasPrefix("\(gatehouse.origin)/oidc/mock/callback?"))

            let landed = try browser.get(callback)
            #expect(landed.status == 303, "\(landed.text)")
            #expect(landed.header("Location") == "/done")

            let me = try browser.get("\(gatehouse.origin)/api/v1/me")
            #expect(me.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(me.response.body)) as? [String: Any])
            let user = try #require(json["user"] as? [String: Any])
            #expect(user["username"] as? String == "carol")
            #expect(user["email"] as? String == "carol@example.org", "from the ID token or userinfo")
            #expect(user["email_verified"] as? Bool == true)
            let identity = try #require((json["identities"] as? [[String: Any]])?.first)
            #expect(identity["issuer"] as? String == issuer)
            #expect(identity["subject"] as? String == "carol")

            // The same callback again: the flow is spent, and so is the code at the provider.
            let replay = try browser.get(callback)
            #expect(replay.status == 400)
        }
    }

    /// A client secret the mock does not accept... the mock accepts any secret for unregistered
    /// clients, so instead the issuer is configured with a trailing slash: discovery's `issuer`
    /// then differs from the configured one, and Gatehouse must refuse to use the provider.
    @Test func anIssuerThatDiffersByATrailingSlashIsRefused() throws {
        try withMockProvider { issuer in
            let gatehouse = try RunningGatehouse(providers: """
                [{"slug": "mock", "name": "oidc-provider-mock", "issuer": "\(issuer)/",
                  "client_id": "gatehouse-e2e", "client_secret": "e2e-secret",
                  "discovery_url": "\(issuer)/.well-known/openid-configuration"}]
                """)
            defer { gatehouse.stop() }
            let start = try BrowserClient().get("\(gatehouse.origin)/oidc/mock/authorize")
            #expect(start.status == 502)
        }
    }
}
