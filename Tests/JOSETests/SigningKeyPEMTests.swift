import Foundation
import Testing
@testable import JOSE

/// `JWSSigningKey.load(pem:)`: the operator's `private_key_jwt` key, read from PEM. The public
/// members it derives are compared with what `openssl pkey -text` printed for the same file
/// (Fixtures/pem/expected-public-jwks.json), and what it signs must verify with them.
@Suite("Signing keys from PEM")
struct SigningKeyPEMTests {
    static func pem(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/pem"))
        return Array(try Data(contentsOf: url))
    }

    static func expected(_ name: String) throws -> [String: String] {
        let url = try #require(Bundle.module.url(forResource: "expected-public-jwks", withExtension: "json", subdirectory: "Fixtures/pem"))
        let all = try JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: url))
        return try #require(all[name])
    }

    @Test("each key type: the algorithm by default, the public members OpenSSL's CLI printed, and a signature that verifies", arguments: [
        ("rsa-2048.pem", JWSAlgorithm.rs256), ("p256-sec1.pem", .es256), ("p384.pem", .es384), ("ed25519.pem", .edDSA),
    ])
    func loads(_ name: String, _ algorithm: JWSAlgorithm) throws {
        let key = try JWSSigningKey.load(pem: try Self.pem(name), algorithm: nil, keyID: nil)
        #expect(key.algorithm == algorithm)
        guard case .object(let members) = key.publicJWK else { Issue.record("the JWK is not an object"); return }
        for (member, value) in try Self.expected(name) {
            #expect(members[member] == .string(value), "\(member) of \(name)")
        }
        #expect(members["d"] == nil, "no private member in the public JWK")
        #expect(key.keyID == (try JWKThumbprint.sha256(of: key.publicJWK)), "the default kid is the RFC 7638 thumbprint")
        let token = try key.sign(payload: Array(#"{"sub":"x"}"#.utf8))
        let keys = try JSONWebKeySet(json: Array("{\"keys\":[\(String(decoding: try key.publicJWK.serialized(), as: UTF8.self))]}".utf8))
        let verified = try JWSVerifier(allowedAlgorithms: [algorithm]).verify(try UnverifiedJWS.parse(token), keys: keys)
        #expect(verified.payload == Array(#"{"sub":"x"}"#.utf8))
    }

    @Test("an explicit kid and a compatible algorithm are kept (PS256 with an RSA key)")
    func explicitChoices() throws {
        let key = try JWSSigningKey.load(pem: try Self.pem("rsa-2048.pem"), algorithm: .ps256, keyID: "client-2026")
        #expect(key.keyID == "client-2026")
        #expect(key.algorithm == .ps256)
    }

    @Test("keys that are refused, each for its own reason", arguments: [
        ("rsa-1024.pem", nil, "an RSA key under 2048 bits"),
        ("rsa-encrypted.pem", nil, "an encrypted key: no passphrase prompt, a refusal"),
        ("secp256k1.pem", nil, "a curve JOSE does not sign with"),
        ("p256-sec1.pem", JWSAlgorithm.es384, "ES384 with a P-256 key"),
        ("rsa-2048.pem", JWSAlgorithm.es256, "ES256 with an RSA key"),
        ("ed25519.pem", JWSAlgorithm.rs256, "RS256 with an Ed25519 key"),
        ("rsa-2048.pem", JWSAlgorithm.hs256, "an HMAC algorithm"),
    ] as [(String, JWSAlgorithm?, String)])
    func refused(_ name: String, _ algorithm: JWSAlgorithm?, _ reason: String) throws {
        let pem = try Self.pem(name)
        #expect(throws: JOSEError.self, "\(reason)") { try JWSSigningKey.load(pem: pem, algorithm: algorithm, keyID: nil) }
    }

    @Test("text that is not a private key is refused, whatever it is", arguments: [
        "", "not a key", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    ])
    func notAKey(_ text: String) {
        #expect(throws: JOSEError.self) { try JWSSigningKey.load(pem: Array(text.utf8), algorithm: nil, keyID: nil) }
    }
}

@Suite("Signing keys with a certificate")
struct SigningKeyCertificateTests {
    @Test("x5t and x5t#S256 are the certificate's thumbprints as openssl computes them, in every signed header")
    func thumbprints() throws {
        let key = try JWSSigningKey.load(pem: try SigningKeyPEMTests.pem("p256-sec1.pem"), algorithm: nil, keyID: "k")
            .withCertificate(pem: try SigningKeyPEMTests.pem("p256-cert.pem"))
        let url = try #require(Bundle.module.url(forResource: "p256-cert-thumbprints", withExtension: "json", subdirectory: "Fixtures/pem"))
        let expected = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        let header = try UnverifiedJWS.parse(try key.sign(payload: Array("{}".utf8))).header
        #expect(header.parameters["x5t"] == .string(try #require(expected["x5t"])))
        #expect(header.parameters["x5t#S256"] == .string(try #require(expected["x5t#S256"])))
        #expect(header.keyID == "k")
    }

    @Test("a certificate for another key is refused")
    func certificateOfAnotherKey() throws {
        let key = try JWSSigningKey.load(pem: try SigningKeyPEMTests.pem("rsa-2048.pem"), algorithm: nil, keyID: nil)
        let certificate = try SigningKeyPEMTests.pem("p256-cert.pem")
        #expect(throws: JOSEError.self) { try key.withCertificate(pem: certificate) }
        let notACertificate = try SigningKeyPEMTests.pem("p256-sec1.pem")
        #expect(throws: JOSEError.self) { try key.withCertificate(pem: notACertificate) }
    }
}
