import Crypto
import Foundation
import Testing
@testable import JOSE

/// One named test per known attack on JWS verifiers. Each builds the hostile token itself, so the
/// test says exactly what the attacker controls.
@Suite("Known attacks")
struct AttackRegressionTests {
    /// RFC 7515 A.3's ES256 key and token: a real key set and a real signature to tamper with.
    static let ecKeys = """
        {"keys":[{"kty":"EC","crv":"P-256","kid":"ec-1",\
        "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}
        """
    static let es256Payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let es256Signature = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

    /// RFC 7520's RSA key, kid `bilbo.baggins@hobbiton.example`.
    static let rsaKeys = "{\"keys\":[\(RFCVectorTests.rfc7520RSAKey)]}"

    @Test("alg none is refused in every capitalisation, with or without a signature",
          arguments: ["none", "None", "NONE", "nOnE", "noNe"])
    func algNone(_ spelling: String) throws {
        let keys = try keySet(Self.ecKeys)
        let header = encodedHeader("{\"alg\":\"\(spelling)\"}")
        // Even a verifier that allows everything it knows never knows none.
        #expect(errorCode { try verify("\(header).\(Self.es256Payload).", keys: keys) } == .unsupportedAlgorithm)
        #expect(errorCode { try verify("\(header).\(Self.es256Payload).\(Self.es256Signature)", keys: keys) } == .unsupportedAlgorithm)
        #expect(JWSAlgorithm(rawValue: spelling) == nil)
    }

    @Test("HS256 keyed with the RSA public key is refused: no HMAC secret configured, RSA keys never HMAC keys")
    func hmacWithRSAPublicKey() throws {
        let keys = try keySet(Self.rsaKeys)
        // The attacker signs with the public modulus bytes as the secret and names the RSA kid.
        let header = encodedHeader("{\"alg\":\"HS256\",\"kid\":\"bilbo.baggins@hobbiton.example\"}")
        let token = "\(header).\(Self.es256Payload).\(Base64URL.encode([UInt8](repeating: 0xAB, count: 32)))"
        #expect(errorCode { try verify(token, keys: keys) } == .noSuitableKey)
        let rsaKey = try #require(keys.keys.first)
        #expect(rsaKey.unusableReason(for: .hs256) != nil)
    }

    @Test("a stripped signature (header.payload.) is refused for every algorithm family")
    func strippedSignature() throws {
        let ec = try keySet(Self.ecKeys)
        let rsa = try keySet(Self.rsaKeys)
        let es256 = encodedHeader("{\"alg\":\"ES256\"}")
        let rs256 = encodedHeader("{\"alg\":\"RS256\"}")
        let eddsa = encodedHeader("{\"alg\":\"EdDSA\"}")
        let hs256 = encodedHeader("{\"alg\":\"HS256\"}")
        let ed = try keySet("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}")
        #expect(errorCode { try verify("\(es256).\(Self.es256Payload).", keys: ec) } == .badSignature)
        #expect(errorCode { try verify("\(rs256).\(Self.es256Payload).", keys: rsa) } == .badSignature)
        #expect(errorCode { try verify("\(eddsa).\(Self.es256Payload).", keys: ed) } == .badSignature)
        let secret = [UInt8](repeating: 7, count: 32)
        #expect(errorCode { try verify("\(hs256).\(Self.es256Payload).", keys: ec, hmacSecret: secret) } == .badSignature)
    }

    @Test("ECDSA r = s = 0 (CVE-2022-21449, psychic signatures) is refused on every curve",
          arguments: [("ES256", 64), ("ES384", 96), ("ES512", 132)])
    func ecdsaZeroSignature(_ algorithm: String, _ length: Int) throws {
        let keys = try keySet("""
            {"keys":[\
            {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},\
            {"kty":"EC","crv":"P-521",\
            "x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",\
            "y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"}]}
            """)
        let header = encodedHeader("{\"alg\":\"\(algorithm)\"}")
        let zeros = Base64URL.encode([UInt8](repeating: 0, count: length))
        let code = errorCode { try verify("\(header).\(Self.es256Payload).\(zeros)", keys: keys) }
        // ES384 has no key here, so it stops at key selection; ES256 and ES512 reach the signature check.
        #expect(code == (algorithm == "ES384" ? .noSuitableKey : .badSignature))
        // And the conversion itself refuses zero r and s, whatever the key.
        let curve: EllipticCurve = length == 64 ? .p256 : length == 96 ? .p384 : .p521
        #expect(errorCode { try ECDSASignature.derEncoded(jose: [UInt8](repeating: 0, count: length), curve: curve) } == .badSignature)
    }

    @Test("ECDSA r or s equal to the group order n is refused")
    func ecdsaScalarAtOrder() throws {
        let order = try #require(EllipticCurve.p256.order)
        let one = [UInt8](repeating: 0, count: 31) + [1]
        #expect(errorCode { try ECDSASignature.derEncoded(jose: order + one, curve: .p256) } == .badSignature)
        #expect(errorCode { try ECDSASignature.derEncoded(jose: one + order, curve: .p256) } == .badSignature)
        #expect(errorCode { try ECDSASignature.derEncoded(jose: one + one, curve: .p256) } == nil)
    }

    @Test("kid injection never reaches anything but a strict byte comparison", arguments: [
        "../../../../etc/passwd",          // path traversal, for verifiers that load keys from files
        "' OR '1'='1",                     // SQL, for verifiers that look keys up in a database
        "ec-1' --",                        // SQL comment after a real kid
        "ec-1\u{0000}",                    // NUL after a real kid, for C-string comparisons
        "EC-1",                            // case differs from the real kid
        String(repeating: "k", count: 20000),  // very long
        "https://attacker.example/key",    // a URL, for verifiers that fetch
    ])
    func kidInjection(_ kid: String) throws {
        let keys = try keySet(Self.ecKeys)
        let header = encodedHeader("{\"alg\":\"ES256\",\"kid\":\(jsonString(kid))}")
        #expect(errorCode { try verify("\(header).\(Self.es256Payload).\(Self.es256Signature)", keys: keys) } == .unknownKeyID)
    }

    @Test("a kid that is not a string is malformed", arguments: ["1", "null", "true", "[\"ec-1\"]", "{\"kid\":\"ec-1\"}"])
    func nonStringKid(_ kid: String) throws {
        let header = encodedHeader("{\"alg\":\"ES256\",\"kid\":\(kid)}")
        #expect(errorCode { try UnverifiedJWS.parse("\(header).\(Self.es256Payload).\(Self.es256Signature)") } == .malformed)
    }

    @Test("a kid equal only after Unicode normalisation does not match")
    func kidNormalisation() throws {
        // U+00E9 (precomposed) in the key, e + U+0301 (combining) in the token: equal as Swift
        // Strings, different bytes. Key lookup compares bytes.
        let keys = try keySet("""
            {"keys":[{"kty":"EC","crv":"P-256","kid":"caf\u{00E9}",\
            "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}
            """)
        let header = encodedHeader("{\"alg\":\"ES256\",\"kid\":\"cafe\u{0301}\"}")
        #expect(errorCode { try verify("\(header).\(Self.es256Payload).\(Self.es256Signature)", keys: keys) } == .unknownKeyID)
    }

    @Test("jwk, jku, x5u and x5c in the header are never used to find a key", arguments: [
        "\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        "\"jku\":\"https://attacker.example/jwks.json\"",
        "\"x5u\":\"https://attacker.example/cert.pem\"",
        "\"x5c\":[\"MIIB\"]",
    ])
    func keyHeadersIgnored(_ member: String) throws {
        // The key set is empty, so a verifier that took keys from these headers would get past
        // key selection; ours finds no key. (Tokens genuinely signed by the embedded or linked
        // key are in `attackerEmbeddedKey` below.)
        let empty = try keySet("{\"keys\":[]}")
        let header = encodedHeader("{\"alg\":\"ES256\",\(member)}")
        let token = "\(header).\(Self.es256Payload).\(Self.es256Signature)"
        #expect(errorCode { try verify(token, keys: empty) } == .noSuitableKey)
        // The header still parses and keeps the member, for diagnostics only.
        let parsed = try UnverifiedJWS.parse(token)
        #expect(parsed.header.parameters.count == 2)
    }

    @Test("a token signed by the attacker and carrying the attacker's own jwk (or jku, x5u, x5c) is refused",
          arguments: ["embedded-jwk-attacker-kid", "embedded-jwk-attacker-no-kid", "jku-attacker", "x5u-attacker", "x5c-attacker"])
    func attackerEmbeddedKey(_ name: String) throws {
        // These tokens come from joserfc (Fixtures/generate.py), genuinely signed by the key they embed.
        let fixtures = try FixtureFile.load()
        let keys = try JSONWebKeySet(json: fixtures.jwksJSON)
        let row = try #require(fixtures.tokens.first { $0.name == name })
        let code = errorCode { try verify(row.token, keys: keys) }
        #expect(code == .unknownKeyID || code == .badSignature, "\(row.reason)")
    }

    @Test("crit with an extension we do not implement is refused", arguments: [
        "\"crit\":[\"exp\"],\"exp\":1363284000",  // RFC 7515 4.1.11's own example
        "\"crit\":[\"b64\"],\"b64\":false",       // RFC 7797 unencoded payload
        "\"crit\":[\"alg\"]",                     // a registered name, forbidden in crit
    ])
    func criticalExtension(_ member: String) throws {
        let header = encodedHeader("{\"alg\":\"ES256\",\(member)}")
        #expect(errorCode { try UnverifiedJWS.parse("\(header).\(Self.es256Payload).\(Self.es256Signature)") } == .criticalHeader)
    }

    @Test("a malformed crit is refused as malformed", arguments: [
        "\"crit\":[]",          // must not be empty
        "\"crit\":\"exp\"",     // must be an array
        "\"crit\":[1]",         // of strings
        "\"crit\":[\"\"]",      // non-empty strings
        "\"crit\":null",        // null is not an array
    ])
    func malformedCritical(_ member: String) throws {
        let header = encodedHeader("{\"alg\":\"ES256\",\(member)}")
        #expect(errorCode { try UnverifiedJWS.parse("\(header).\(Self.es256Payload).\(Self.es256Signature)") } == .malformed)
    }

    @Test("a duplicate alg member is refused rather than resolved either way")
    func duplicateAlg() throws {
        let header = encodedHeader("{\"alg\":\"ES256\",\"alg\":\"none\"}")
        #expect(errorCode { try UnverifiedJWS.parse("\(header).\(Self.es256Payload).\(Self.es256Signature)") } == .malformed)
    }

    @Test("the algorithm allow-list is enforced before any key is looked at")
    func algorithmNotAllowed() throws {
        let keys = try keySet(Self.ecKeys)
        let token = "\(encodedHeader("{\"alg\":\"ES256\"}")).\(Self.es256Payload).\(Self.es256Signature)"
        #expect(errorCode { try verify(token, keys: keys, allowed: [.rs256]) } == .algorithmNotAllowed)
        #expect(errorCode { try verify(token, keys: keys, allowed: [.es256]) } == nil)
    }

    @Test("ES256 signatures of the wrong length are refused", arguments: [
        0, 63, 65, 70, 72, 96, 128,  // 70-72 is the usual DER length: DER is not JOSE
    ])
    func ecdsaWrongLength(_ length: Int) throws {
        let keys = try keySet(Self.ecKeys)
        var signature = try Base64URL.decode(Self.es256Signature)
        signature = Array((signature + signature + signature).prefix(length))
        let token = "\(encodedHeader("{\"alg\":\"ES256\"}")).\(Self.es256Payload).\(Base64URL.encode(signature))"
        #expect(errorCode { try verify(token, keys: keys) } == .badSignature)
    }

    @Test("a DER-encoded ECDSA signature of the right message is refused: JOSE requires r||s")
    func ecdsaDERSignature() throws {
        let keys = try keySet(Self.ecKeys)
        let raw = try Base64URL.decode(Self.es256Signature)
        let der = try ECDSASignature.derEncoded(jose: raw, curve: .p256)
        let token = "\(encodedHeader("{\"alg\":\"ES256\"}")).\(Self.es256Payload).\(Base64URL.encode(der))"
        #expect(errorCode { try verify(token, keys: keys) } == .badSignature)
    }

    @Test("without a kid, two keys that fit are ambiguous: we never try each in turn")
    func ambiguousWithoutKid() throws {
        let keys = try keySet("""
            {"keys":[\(RFCVectorTests.rfc7520RSAKey.replacingOccurrences(of: "bilbo.baggins@hobbiton.example", with: "a")),\
            \(RFCVectorTests.rfc7520RSAKey.replacingOccurrences(of: "bilbo.baggins@hobbiton.example", with: "b"))]}
            """)
        let token = "\(encodedHeader("{\"alg\":\"RS256\"}")).\(Self.es256Payload).\(Base64URL.encode([UInt8](repeating: 1, count: 256)))"
        #expect(errorCode { try verify(token, keys: keys) } == .ambiguousKey)
    }

    @Test("two keys under one kid are ambiguous")
    func duplicateKid() throws {
        let keys = try keySet("{\"keys\":[\(RFCVectorTests.rfc7520RSAKey),\(RFCVectorTests.rfc7520RSAKey)]}")
        let token = "\(encodedHeader("{\"alg\":\"RS256\",\"kid\":\"bilbo.baggins@hobbiton.example\"}")).\(Self.es256Payload).\(Base64URL.encode([UInt8](repeating: 1, count: 256)))"
        #expect(errorCode { try verify(token, keys: keys) } == .ambiguousKey)
    }

    @Test("an HMAC secret shorter than the hash is refused as weak")
    func shortHMACSecret() throws {
        let token = "\(encodedHeader("{\"alg\":\"HS256\"}")).\(Self.es256Payload).\(Base64URL.encode([UInt8](repeating: 0, count: 32)))"
        let empty = try keySet("{\"keys\":[]}")
        #expect(errorCode { try verify(token, keys: empty, hmacSecret: Array("secret".utf8)) } == .weakKey)
        #expect(errorCode { try verify(token, keys: empty, hmacSecret: []) } == .weakKey)
    }
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
