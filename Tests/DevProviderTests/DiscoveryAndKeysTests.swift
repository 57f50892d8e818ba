import HTTP
import JOSE
import Testing
@testable import DevProvider

@Suite("dev-idp discovery, JWKS and key rotation")
struct DiscoveryAndKeysTests {
    @Test("discovery names this issuer's endpoints and what the provider supports")
    func discovery() throws {
        let running = try RunningDevProvider()
        let issuer = running.provider.issuer
        #expect(issuer == "http://127.0.0.1:\(running.port)", "the default issuer carries the bound port")
        let response = try running.get("/.well-known/openid-configuration")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let document = try jsonObject(response)
        #expect(document["issuer"] == .string(issuer))
        for (member, path) in [
            ("authorization_endpoint", "/authorize"), ("token_endpoint", "/token"), ("userinfo_endpoint", "/userinfo"),
            ("jwks_uri", "/jwks"), ("end_session_endpoint", "/end-session"),
        ] {
            #expect(document[member] == .string(issuer + path), "\(member)")
        }
        func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }
        #expect(document["response_types_supported"] == strings(["code"]))
        #expect(document["response_modes_supported"] == strings(["query", "form_post"]))
        #expect(document["grant_types_supported"] == strings(["authorization_code"]))
        #expect(document["subject_types_supported"] == strings(["public"]))
        #expect(document["id_token_signing_alg_values_supported"] == strings(["RS256"]))
        #expect(document["token_endpoint_auth_methods_supported"] == strings(["client_secret_basic", "client_secret_post"]))
        #expect(document["code_challenge_methods_supported"] == strings(["S256"]))
        #expect(document["scopes_supported"]?.arrayValue?.contains(.string("openid")) == true)
        #expect(document["claims_supported"]?.arrayValue?.contains(.string("email_verified")) == true)
        #expect(document["authorization_response_iss_parameter_supported"] == .bool(true))
    }

    @Test("an issuer with a path moves every endpoint under it")
    func issuerWithPath() throws {
        let running = try RunningDevProvider { $0.issuer = "http://127.0.0.1:9400/realms/dev/" }
        #expect(running.pathPrefix == "/realms/dev")
        let document = try jsonObject(try running.get("/realms/dev/.well-known/openid-configuration"))
        #expect(document["issuer"] == .string("http://127.0.0.1:9400/realms/dev/"), "published exactly as given")
        #expect(document["token_endpoint"] == .string("http://127.0.0.1:9400/realms/dev/token"))
        #expect(try running.get("/.well-known/openid-configuration").status == 404, "nothing at the root")
        let tokens = try running.tokens()
        let claims = try running.verifiedClaims(try #require(tokens["id_token"]?.stringValue)).claims
        #expect(claims["iss"] == .string("http://127.0.0.1:9400/realms/dev/"))
    }

    @Test("the JWKS is cacheable for five minutes and holds the current public key only")
    func jwks() throws {
        let running = try RunningDevProvider()
        let response = try running.get("/jwks")
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "max-age=300")
        let keys = try JSONWebKeySet(json: response.body)
        #expect(keys.skipped.isEmpty)
        #expect(keys.keys.map(\.keyID) == [running.provider.currentKeyID])
        #expect(keys.keys.first?.use == "sig")
        #expect(keys.keys.first?.algorithm == "RS256")
        #expect(!response.text.contains("\"d\""), "no private member is ever published")
    }

    @Test("each algorithm signs tokens its JWKS verifies", arguments: [
        ("RS256", "the default"), ("ES256", "P-256, r||s signatures"), ("EdDSA", "Ed25519"), ("PS256", "RSA-PSS"),
    ])
    func algorithms(_ algorithm: String, _ reason: String) throws {
        let running = try RunningDevProvider { $0.algorithm = algorithm }
        let document = try jsonObject(try running.get("/.well-known/openid-configuration"))
        #expect(document["id_token_signing_alg_values_supported"] == .array([.string(algorithm)]), "\(reason)")
        let token = try #require(try running.tokens()["id_token"]?.stringValue)
        let (header, claims) = try running.verifiedClaims(token)
        #expect(header.algorithm == algorithm)
        #expect(claims["sub"] == .string("alice"))
    }

    @Test("rotation publishes the new kid, keeps the previous one, and drops the one before")
    func rotation() throws {
        let running = try RunningDevProvider()
        let first = running.provider.currentKeyID
        let tokenBefore = try #require(try running.tokens()["id_token"]?.stringValue)

        let rotated = try running.send("POST", "/rotate-keys")
        #expect(rotated.status == 200)
        let second = try #require(try jsonObject(rotated)["kid"]?.stringValue)
        #expect(second != first)
        #expect(try running.keySet().keys.compactMap(\.keyID) == [second, first], "new key first, old key still published")
        #expect(throws: Never.self, "a token signed before the rotation still verifies") {
            try running.verifiedClaims(tokenBefore)
        }
        let tokenAfter = try #require(try running.tokens()["id_token"]?.stringValue)
        #expect(try running.verifiedClaims(tokenAfter).header.keyID == second, "new tokens are signed with the new key")

        let third = try running.provider.rotateKeys()
        #expect(try running.keySet().keys.compactMap(\.keyID) == [third, second], "the first key is gone after two rotations")
        do {
            _ = try running.verifiedClaims(tokenBefore)
            Issue.record("a token signed by a retired key verified")
        } catch let error as JOSEError {
            #expect(error.code == .unknownKeyID)
        }
    }

    @Test("key rotation answers only POST")
    func rotationNeedsPost() throws {
        let running = try RunningDevProvider()
        #expect(try running.get("/rotate-keys").status == 405)
        #expect(running.provider.publishedKeyIDs.count == 1)
    }
}
