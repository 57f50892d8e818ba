import Crypto
import Testing
@testable import JOSE

@Suite("JWS signing keys")
struct JWSSigningKeyTests {
    /// Every algorithm `JWSSigningKey.generate` supports, with what it exercises.
    static let supported: [(JWSAlgorithm, String)] = [
        (.rs256, "RSA PKCS#1 v1.5"),
        (.ps256, "RSA-PSS: MGF1 and a hash-length salt must match the verifier"),
        (.es256, "ECDSA P-256: DER converted to 64-byte r||s"),
        (.es384, "ECDSA P-384: DER converted to 96-byte r||s"),
        (.edDSA, "Ed25519, no pre-hash"),
    ]

    /// The published JWK, serialised and read back the way a relying party reads a JWKS.
    static func publishedKeySet(_ keys: JWSSigningKey...) throws -> JSONWebKeySet {
        let document = try JSONValue.object(["keys": .array(keys.map(\.publicJWK))]).serialized()
        let set = try JSONWebKeySet(json: document)
        #expect(set.skipped.isEmpty, "the verifier skipped a published key: \(set.skipped)")
        return set
    }

    @Test("a signed token verifies with the published JWK", arguments: supported)
    func roundTrip(_ algorithm: JWSAlgorithm, _ reason: String) throws {
        let key = try JWSSigningKey.generate(algorithm)
        let payload = Array(#"{"sub":"alice","n":1}"#.utf8)
        let token = try key.sign(payload: payload, extraHeader: [("x-test", .bool(true))])
        let verified = try verify(token, keys: try Self.publishedKeySet(key), allowed: [algorithm])
        #expect(verified.payload == payload, "\(reason)")
        #expect(verified.algorithm == algorithm)
        #expect(verified.header.keyID == key.keyID)
        #expect(verified.header.type == "JWT")
        #expect(verified.header.parameters["x-test"] == .bool(true))
        #expect(verified.key?.keyID == key.keyID)
    }

    @Test("many ECDSA signatures all verify, so short r or s are padded", arguments: [JWSAlgorithm.es256, .es384])
    func ecdsaPadding(_ algorithm: JWSAlgorithm) throws {
        // About one signature in 128 has an r or s with a leading zero byte; 400 makes missing
        // the padding bug here very unlikely (the deterministic case is `shortIntegerIsPadded`).
        let key = try JWSSigningKey.generate(algorithm)
        let keys = try Self.publishedKeySet(key)
        for index in 0..<400 {
            let token = try key.sign(payload: Array("message \(index)".utf8))
            #expect(throws: Never.self) { try verify(token, keys: keys, allowed: [algorithm]) }
        }
    }

    @Test("a DER signature with a short r becomes fixed-width r||s")
    func shortIntegerIsPadded() throws {
        let r = [UInt8](repeating: 0x11, count: 31)  // r < 2^248: DER writes 31 bytes
        let s = [UInt8](repeating: 0x22, count: 32)
        // SEQUENCE { INTEGER r (31 bytes), INTEGER s (32 bytes) }
        let der: [UInt8] = [0x30, UInt8(2 + r.count + 2 + s.count), 0x02, UInt8(r.count)] + r + [0x02, UInt8(s.count)] + s
        let jose = try ECDSASignature.joseEncoded(der: der, curve: .p256)
        #expect(jose == [0x00] + r + s)
        #expect(try ECDSASignature.derEncoded(jose: jose, curve: .p256) == der, "the two conversions are inverses")
    }

    @Test("a flipped signature byte fails verification", arguments: supported)
    func flippedSignatureFails(_ algorithm: JWSAlgorithm, _ reason: String) throws {
        let key = try JWSSigningKey.generate(algorithm)
        let token = try key.sign(payload: Array("payload".utf8))
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        var signature = try Base64URL.decode(parts[2])
        signature[signature.count / 2] ^= 0x01
        let tampered = "\(parts[0]).\(parts[1]).\(Base64URL.encode(signature))"
        #expect(errorCode { try verify(tampered, keys: try Self.publishedKeySet(key), allowed: [algorithm]) } == .badSignature, "\(reason)")
    }

    @Test("a token signed by another key of the same kind does not verify")
    func otherKeyFails() throws {
        let published = try JWSSigningKey.generate(.es256, keyID: "k1")
        let rogue = try JWSSigningKey.generate(.es256, keyID: "k1")
        let token = try rogue.sign(payload: Array("payload".utf8))
        #expect(errorCode { try verify(token, keys: try Self.publishedKeySet(published)) } == .badSignature)
    }

    @Test("the published JWK has the members a relying party needs and nothing private")
    func publicJWKMembers() throws {
        let rsa = try #require(try JWSSigningKey.generate(.rs256).publicJWK.objectValue)
        #expect(Set(rsa.keys) == ["kty", "kid", "use", "alg", "n", "e"])
        #expect(rsa["use"] == .string("sig"))
        #expect(rsa["e"] == .string("AQAB"))
        #expect(try Base64URL.decode(try #require(rsa["n"]?.stringValue)).count == 256, "a 2048-bit modulus with no leading zero")
        let ec = try #require(try JWSSigningKey.generate(.es384).publicJWK.objectValue)
        #expect(Set(ec.keys) == ["kty", "kid", "use", "alg", "crv", "x", "y"])
        #expect(ec["crv"] == .string("P-384"))
        let okp = try #require(try JWSSigningKey.generate(.edDSA).publicJWK.objectValue)
        #expect(Set(okp.keys) == ["kty", "kid", "use", "alg", "crv", "x"])
        #expect(okp["alg"] == .string("EdDSA"))
    }

    @Test("the default kid is the key's RFC 7638 thumbprint; an explicit kid wins")
    func keyIDs() throws {
        let key = try JWSSigningKey.generate(.es256)
        #expect(key.keyID == (try JWKThumbprint.sha256(of: key.publicJWK)))
        #expect(key.keyID.utf8.count == 43, "base64url of 32 bytes")
        #expect(try JWSSigningKey.generate(.es256, keyID: "chosen").keyID == "chosen")
        #expect(try JWSSigningKey.generate(.es256).keyID != key.keyID, "a new key, a new kid")
    }

    @Test("the thumbprint of RFC 7638 section 3.1's key is the published one")
    func rfc7638Thumbprint() throws {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let key = try JSONValue.parse(Array("{\"kty\":\"RSA\",\"n\":\"\(n)\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}".utf8))
        #expect(try JWKThumbprint.sha256(of: key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test("thumbprints refuse what they cannot define", arguments: [
        (#"{"kty":"oct","k":"AAAA"}"#, JOSEError.Code.invalidKey, "no thumbprint for symmetric keys here"),
        (#"{"kty":"EC","crv":"P-256","x":"AAAA"}"#, .malformed, "EC without y"),
        (#"{"kty":"RSA","n":"AAAA","e":1}"#, .malformed, "e is not a string"),
        (#"{"n":"AAAA","e":"AQAB"}"#, .malformed, "no kty"),
    ])
    func thumbprintRefusals(_ json: String, _ code: JOSEError.Code, _ reason: String) throws {
        let value = try JSONValue.parse(Array(json.utf8))
        #expect(errorCode { try JWKThumbprint.sha256(of: value) } == code, "\(reason)")
    }

    @Test("algorithms without generated keys are refused", arguments: [
        (JWSAlgorithm.hs256, "HMAC keys are secrets, not generated key pairs"),
        (.es512, "P-521 is not offered for signing"),
        (.rs512, "only RS256 and PS256 among the RSA algorithms"),
    ])
    func unsupportedAlgorithms(_ algorithm: JWSAlgorithm, _ reason: String) {
        #expect(errorCode { try JWSSigningKey.generate(algorithm) } == .unsupportedAlgorithm, "\(reason)")
    }

    @Test("a header member given twice is refused", arguments: [
        ("alg", "would let the header disagree with the key"),
        ("kid", "would point at another key"),
        ("typ", "typ is already set from `type`"),
    ])
    func duplicateHeaderMember(_ name: String, _ reason: String) throws {
        let key = try JWSSigningKey.generate(.es256)
        #expect(errorCode { try key.sign(payload: [], extraHeader: [(name, .string("x"))]) } == .malformed, "\(reason)")
    }

    @Test("without a type there is no typ, and extra members may then set one")
    func typeOmitted() throws {
        let key = try JWSSigningKey.generate(.es256)
        let keys = try Self.publishedKeySet(key)
        #expect(try verify(try key.sign(payload: [], type: nil), keys: keys).header.type == nil)
        let accessToken = try key.sign(payload: [], type: "at+jwt")
        #expect(try verify(accessToken, keys: keys).header.type == "at+jwt")
    }
}
