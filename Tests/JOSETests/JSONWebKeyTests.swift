import Crypto
import Testing
@testable import JOSE

@Suite("JWK and JWKS parsing")
struct JSONWebKeyTests {
    static let p256 = #""crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0""#
    /// RFC 7515 A.3's y with its last bit flipped: the point is no longer on P-256.
    static let offCurveY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5aw"
    /// A 1024-bit modulus (the first 128 bytes of RFC 7520's 2048-bit one; odd, top bit set).
    static let shortModulus: String = {
        let n = "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw"
        var bytes = Array((try? Base64URL.decode(n))?.prefix(128) ?? [])
        if let last = bytes.indices.last { bytes[last] |= 1 }
        return Base64URL.encode(bytes)
    }()

    static func key(_ json: String) -> JOSEError.Code? {
        errorCode { try JSONWebKey(json: Array(json.utf8)) }
    }

    @Test("supported keys parse", arguments: [
        ("{\"kty\":\"EC\",\(p256)}", "EC P-256"),
        (RFCVectorTests.rfc7520RSAKey, "RSA 2048"),
        (#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#, "Ed25519"),
        ("{\"kty\":\"EC\",\(p256),\"use\":\"enc\"}", "use=enc parses; it is selection that refuses it"),
    ])
    func parses(_ json: String, _ reason: String) {
        #expect(Self.key(json) == nil, "\(reason)")
    }

    @Test("bad keys are refused with the right code", arguments: [
        ("{\"kty\":\"RSA\",\"n\":\"\(shortModulus)\",\"e\":\"AQAB\"}", JOSEError.Code.weakKey, "RSA under 2048 bits"),
        ("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"\(offCurveY)\"}", .invalidKey, "EC point not on the curve"),
        ("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}", .invalidKey, "P-256 coordinates under P-384"),
        ("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}", .invalidKey, "coordinates too short"),
        ("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AAAA\",\"y\":\"AAAA\"}", .invalidKey, "unsupported curve"),
        (#"{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#, .invalidKey, "X25519 is for key agreement"),
        (#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ"}"#, .invalidKey, "Ed25519 key of 31 bytes"),
        (#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#, .invalidKey, "symmetric keys never come from a key set"),
        ("{\"kty\":\"EC\",\(p256),\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}", .invalidKey, "private key published"),
        (#"{"kty":"RSA","e":"AQAB"}"#, .malformed, "RSA without n"),
        (#"{"kty":"RSA","n":"AQAB","e":7}"#, .malformed, "e is not a string"),
        (#"{"kty":"RSA","n":"AQAB=","e":"AQAB"}"#, .malformed, "padded base64url"),
        (#"{"crv":"P-256"}"#, .malformed, "no kty"),
        (#"{"kty":"DSA"}"#, .invalidKey, "unknown key type"),
        ("{\"kty\":\"EC\",\(p256),\"kid\":5}", .malformed, "kid is not a string"),
        ("{\"kty\":\"EC\",\(p256),\"key_ops\":\"verify\"}", .malformed, "key_ops is not an array"),
    ])
    func refused(_ json: String, _ code: JOSEError.Code, _ reason: String) {
        #expect(Self.key(json) == code, "\(reason)")
    }

    @Test("use, key_ops and alg limit what a key may verify", arguments: [
        ("\"use\":\"sig\"", JWSAlgorithm.es256, true, "sig is the use we need"),
        ("\"use\":\"enc\"", .es256, false, "encryption keys never verify"),
        ("\"key_ops\":[\"verify\"]", .es256, true, "verify listed"),
        ("\"key_ops\":[\"encrypt\"]", .es256, false, "verify not listed"),
        ("\"alg\":\"ES256\"", .es256, true, "alg agrees"),
        ("\"alg\":\"ES384\"", .es256, false, "alg disagrees"),
        ("\"alg\":\"ECDH-ES\"", .es256, false, "an encryption alg"),
        ("\"use\":\"sig\"", .rs256, false, "EC key, RSA algorithm"),
        ("\"use\":\"sig\"", .es512, false, "P-256 key, P-521 algorithm"),
        ("\"use\":\"sig\"", .hs256, false, "public keys never verify HMAC"),
    ])
    func usability(_ member: String, _ algorithm: JWSAlgorithm, _ usable: Bool, _ reason: String) throws {
        let key = try JSONWebKey(json: Array("{\"kty\":\"EC\",\(Self.p256),\(member)}".utf8))
        #expect((key.unusableReason(for: algorithm) == nil) == usable, "\(reason)")
    }

    /// RFC 7515 A.3's genuine ES256 token (no kid), which the P-256 key above verifies.
    static let validES256Token = "eyJhbGciOiJFUzI1NiJ9.\(AttackRegressionTests.es256Payload).\(AttackRegressionTests.es256Signature)"

    @Test("a key with use=enc is not used, though its signature would verify")
    func encryptionKeyNotUsed() throws {
        let keys = try keySet("{\"keys\":[{\"kty\":\"EC\",\"use\":\"enc\",\(Self.p256)}]}")
        #expect(errorCode { try verify(Self.validES256Token, keys: keys) } == .noSuitableKey)
        // The same key marked for signatures verifies: use=enc alone made the difference.
        let signing = try keySet("{\"keys\":[{\"kty\":\"EC\",\"use\":\"sig\",\(Self.p256)}]}")
        #expect(errorCode { try verify(Self.validES256Token, keys: signing) } == nil)
    }

    @Test("a key whose alg disagrees with the token's is not used, though its signature would verify")
    func algorithmMismatch() throws {
        let keys = try keySet("{\"keys\":[{\"kty\":\"EC\",\"alg\":\"ES384\",\(Self.p256)}]}")
        #expect(errorCode { try verify(Self.validES256Token, keys: keys) } == .noSuitableKey)
        // The same key without alg verifies the token: the alg member alone made the difference.
        let plain = try keySet("{\"keys\":[{\"kty\":\"EC\",\(Self.p256)}]}")
        #expect(errorCode { try verify(Self.validES256Token, keys: plain) } == nil)
    }

    @Test("bad keys in a set are skipped and recorded; good ones stay")
    func skippedKeys() throws {
        let keys = try keySet("""
            {"keys":[\
            {"kty":"RSA","kid":"weak","n":"\(Self.shortModulus)","e":"AQAB"},\
            {"kty":"EC","kid":"good",\(Self.p256)},\
            "not an object",\
            {"kty":"EC","kid":"off-curve","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"\(Self.offCurveY)"},\
            {"kty":"oct","kid":"secret","k":"AAAA"}]}
            """)
        #expect(keys.keys.map(\.keyID) == ["good"])
        #expect(keys.skipped.map(\.index) == [0, 2, 3, 4])
        #expect(keys.skipped.map(\.keyID) == ["weak", nil, "off-curve", "secret"])
        #expect(keys.skipped.map(\.code) == [.weakKey, .malformed, .invalidKey, .invalidKey])
        #expect(keys.skipped.allSatisfy { !$0.reason.isEmpty })
    }

    @Test("a document that is not a key set is an error", arguments: [
        ("[]", JOSEError.Code.malformed, "not an object"),
        ("{}", .malformed, "no keys"),
        ("{\"keys\":{}}", .malformed, "keys is not an array"),
        ("{\"keys\":[]", .malformed, "not closed"),
    ])
    func notAKeySet(_ json: String, _ code: JOSEError.Code, _ reason: String) {
        #expect(errorCode { try keySet(json) } == code, "\(reason)")
    }

    @Test("a key set over the size cap is refused")
    func oversizedKeySet() {
        #expect(errorCode { try JSONWebKeySet(json: Array("{\"keys\":[]}".utf8), maxBytes: 5) } == .tooLarge)
    }
}
