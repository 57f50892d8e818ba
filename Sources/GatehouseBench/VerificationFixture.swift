import Crypto
import JOSE
import OIDC

/// One ID token as a provider would send it, and everything `IDTokenValidator.validate` needs to
/// accept it: the provider's key set (built from published JWKs, as the JWKS cache builds it),
/// the provider settings, the nonce and the time.
struct VerificationFixture {
    let token: String
    let keys: JSONWebKeySet
    let settings: OIDCProviderSettings
    let advertisedAlgorithms: [JWSAlgorithm]
    let nonce: String
    let now: Int64

    static let issuer = "https://accounts.example.com"
    static let clientID = "1234987819200-bench.apps.example.com"

    init(algorithm: JWSAlgorithm, now: Int64 = 1_767_225_600) throws {
        // A provider usually publishes more than one key; the token names its own by `kid`.
        let signing = try JWSSigningKey.generate(algorithm)
        let other = try JWSSigningKey.generate(algorithm == .rs256 ? .es256 : .rs256)
        let jwks = JSONValue.object(["keys": .array([other.publicJWK, signing.publicJWK])])
        keys = try JSONWebKeySet(json: try jwks.serialized())
        guard keys.keys.count == 2 else { throw BenchFailure("the key set kept \(keys.keys.count) of 2 keys") }

        // 256 random bits, base64url: what Gatehouse sends as a nonce.
        nonce = Base64URL.encode((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        let claims: [(String, JSONValue)] = [
            ("iss", .string(Self.issuer)),
            ("azp", .string(Self.clientID)),
            ("aud", .string(Self.clientID)),
            ("sub", .string("110169484474386276334")),
            ("email", .string("alice.example@example.com")),
            ("email_verified", .bool(true)),
            ("nonce", .string(nonce)),
            ("name", .string("Alice Example")),
            ("iat", .integer(now - 5)),
            ("exp", .integer(now + 3595)),
        ]
        token = try signing.sign(payload: try JSONValue.serializedObject(claims))
        settings = OIDCProviderSettings(slug: "bench", name: "Bench", issuer: Self.issuer, clientID: Self.clientID, clientSecret: "unused")
        advertisedAlgorithms = [.rs256, .es256]
        self.now = now
    }
}

/// A failure of the benchmark itself (not of what it measures).
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
