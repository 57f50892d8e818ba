import DevProvider
import Foundation
import JOSE
import Logging
import Testing
import TestSupport

/// Client authentication at the token endpoint through the real server and the development
/// provider over loopback: the method chosen from discovery, `private_key_jwt` with a key from
/// the configuration, and what `check-config` says of each (issue 14 section 1).
@Suite(.serialized) struct ClientAuthenticationEndToEndTests {
    static let keyDirectory = packageRoot + "/Tests/JOSETests/Fixtures/pem"

    /// The public JWK Set of one of the PEM test keys, as the provider registers it.
    static func publicJWKS(of pemFile: String, keyID: String) throws -> String {
        let pem = Array(try Data(contentsOf: URL(fileURLWithPath: keyDirectory + "/" + pemFile)))
        let key = try JWSSigningKey.load(pem: pem, algorithm: nil, keyID: keyID)
        return "{\"keys\":[\(String(decoding: try key.publicJWK.serialized(), as: UTF8.self))]}"
    }

    @Test("a provider that lists only client_secret_post: the sign-in completes, with nothing configured")
    func postOnlyProvider() throws {
        let rig = try SignInRig { $0.tokenEndpointAuthMethods = ["client_secret_post"] }
        defer { rig.stop() }
        let page = try rig.signIn()
        #expect(page.status == 303, "\(page.text)")
        #expect(try rig.me().status == 200)
    }

    @Test("a configured method the provider refuses fails the sign-in at the token endpoint, not before")
    func configuredMethodIsUsedAsConfigured() throws {
        let rig = try SignInRig(providerJSON: #""token_endpoint_auth_method": "client_secret_basic""#) {
            $0.tokenEndpointAuthMethods = ["client_secret_post"]
        }
        defer { rig.stop() }
        let page = try rig.signIn()
        #expect(page.status == 502)
        #expect(try rig.auditEvents().last?.detail.contains("reason=token_exchange_failed") == true)
    }

    @Test("private_key_jwt with a key and no secret: the provider verifies the assertion and the sign-in completes")
    func privateKeyJWT() throws {
        let rig = try SignInRig(
            clientCredentialsJSON: #""client_assertion_key": {"pem": {"file": "\#(Self.keyDirectory)/p256-sec1.pem"}, "kid": "gatehouse-1"}"#
        ) { options in
            options.tokenEndpointAuthMethods = ["private_key_jwt"]
            options.clientJWKS = try? Self.publicJWKS(of: "p256-sec1.pem", keyID: "gatehouse-1")
        }
        defer { rig.stop() }
        let page = try rig.signIn()
        #expect(page.status == 303, "\(page.text)")
        #expect(try rig.me().status == 200)
    }

    @Test("private_key_jwt signed with a key the provider does not know: refused at the token endpoint")
    func privateKeyJWTWithAnotherKey() throws {
        let rig = try SignInRig(
            clientCredentialsJSON: #""client_assertion_key": {"pem": {"file": "\#(Self.keyDirectory)/p256-sec1.pem"}, "kid": "gatehouse-1"}"#
        ) { options in
            options.tokenEndpointAuthMethods = ["private_key_jwt"]
            options.clientJWKS = try? Self.publicJWKS(of: "p384.pem", keyID: "gatehouse-1")
        }
        defer { rig.stop() }
        let page = try rig.signIn()
        #expect(page.status == 502)
        #expect(try rig.auditEvents().last?.detail.contains("reason=token_exchange_failed") == true)
        #expect(try rig.count("sessions") == 0)
    }

    // MARK: - check-config

    /// `check-config` on a configuration whose one provider is a development provider started
    /// with `methods`, the provider object given `extra` members.
    func checkConfig(methods: [String], clientJWKS: String? = nil, extra: String = "") throws -> (status: Int32, output: String) {
        var options = DevProviderOptions()
        options.port = 0
        options.tokenEndpointAuthMethods = methods
        options.clientJWKS = clientJWKS
        var logger = Logger(label: "dev-idp-test")
        logger.logLevel = .critical
        let provider = try DevProvider(options: options, logger: logger)
        try provider.start()
        defer { provider.shutdown() }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.json").path
        let config = """
        {"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"},
         "database": {"path": "\(directory.path)/g.sqlite3"},
         "providers": [{"slug": "dev", "name": "Dev", "issuer": "\(provider.issuer)", "client_id": "\(options.clientID)",
                        "client_secret": "\(options.clientSecret)"\(extra)}]}
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        let finished = try ChildProcess.run(CommandLineTests.binary, ["check-config", "--config", path])
        return (finished.status, finished.output)
    }

    @Test("check-config names the method chosen from discovery")
    func checkConfigNamesTheChosenMethod() throws {
        let result = try checkConfig(methods: ["client_secret_post"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("$.providers[0] (dev): client authentication client_secret_post, chosen from discovery"))
    }

    @Test("check-config warns of a configured method the provider does not list")
    func checkConfigWarnsOfAnUnadvertisedMethod() throws {
        let result = try checkConfig(methods: ["client_secret_post"], extra: #", "token_endpoint_auth_method": "client_secret_basic""#)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("$.providers[0].token_endpoint_auth_method: warning: token_endpoint_auth_method client_secret_basic is not among"))
    }

    @Test("check-config refuses a provider none of whose methods works with the configuration")
    func checkConfigRefusesAnUnusableProvider() throws {
        let result = try checkConfig(methods: ["private_key_jwt"], clientJWKS: try Self.publicJWKS(of: "p384.pem", keyID: "k"))
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("$.providers[0] (dev): provider dev: its token endpoint accepts private_key_jwt, none of which works with a client secret"))
        #expect(!result.output.contains("configuration is valid"))
    }

    @Test("check-config prints what a profile set, and a GitHub provider needs no discovery")
    func checkConfigPrintsTheProfile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.json").path
        let config = """
        {"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"}, "database": {"path": "\(directory.path)/g.sqlite3"},
         "providers": [{"slug": "gh", "name": "GitHub", "profile": "github", "client_id": "Iv1.abc", "client_secret": "s"},
                       {"slug": "edu", "name": "CILogon", "profile": "cilogon", "client_id": "cilogon:/client_id/1", "client_secret": "s",
                        "scopes": ["openid", "email"], "discovery_url": "http://127.0.0.1:1/.well-known/openid-configuration"}]}
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        let result = try ChildProcess.run(CommandLineTests.binary, ["check-config", "--config", path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(#"$.providers[0] (gh): profile github set issuer "https://github.com", scopes ["read:user", "user:email"], userinfo false"#))
        #expect(result.output.contains("$.providers[0] (gh): client authentication client_secret_post, chosen from discovery"))
        // The operator's scopes win; the rest is filled.
        #expect(result.output.contains(#"$.providers[1] (edu): profile cilogon set issuer "https://cilogon.org", multiple_identities "allow""#))
    }
}
