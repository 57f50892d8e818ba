import COpenSSL
import Crypto
import JOSE
import Testing
@testable import OIDC

/// Runs `body` and returns the OIDC error code it threw, or nil when it did not throw.
/// (Untyped `throws` because closures inside `#expect` do not infer a typed one.)
func errorCode<T>(_ body: () throws -> T) -> OIDCError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as OIDCError {
        return error.code
    } catch {
        Issue.record("threw something other than OIDCError: \(error)")
        return nil
    }
}

/// Signs test tokens with Ed25519 through OpenSSL, from a fixed seed so keys are reproducible.
/// Test-only: Gatehouse itself never signs anything with an asymmetric key.
enum Ed25519TestSigner {
    static let seed: [UInt8] = Array(0..<32)
    static let otherSeed: [UInt8] = Array(100..<132)

    static func sign(_ message: [UInt8], seed: [UInt8]) -> [UInt8] {
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            Issue.record("OpenSSL could not make an Ed25519 key")
            return []
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return [] }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
              EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            Issue.record("OpenSSL could not sign")
            return []
        }
        return Array(signature.prefix(length))
    }

    static func publicKey(seed: [UInt8]) -> [UInt8] {
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else { return [] }
        defer { EVP_PKEY_free(key) }
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        guard EVP_PKEY_get_raw_public_key(key, &bytes, &length) == 1 else { return [] }
        return bytes
    }

    /// The public JWK for `seed`, as JSON text.
    static func jwk(kid: String, seed: [UInt8] = seed) -> String {
        #"{"kty":"OKP","crv":"Ed25519","kid":"\#(kid)","use":"sig","x":"\#(Base64URL.encode(publicKey(seed: seed)))"}"#
    }
}

/// The fixed values every ID-token test starts from.
enum Fixture {
    static let issuer = "https://issuer.example"
    static let clientID = "gatehouse-client"
    static let clientSecret = String(repeating: "s3cr3t-", count: 10)
    static let nonce = "n-0S6_WzA2Mj-nonce-value-of-43-characters-x"
    static let now: Int64 = 1_700_000_000
    static let kid = "ed-1"

    static var settings: OIDCProviderSettings {
        OIDCProviderSettings(slug: "test", name: "Test", issuer: issuer, clientID: clientID, clientSecret: clientSecret)
    }

    static func keySet(_ jwks: [String] = [Ed25519TestSigner.jwk(kid: kid)]) -> JSONWebKeySet {
        do {
            return try JSONWebKeySet(json: Array("{\"keys\":[\(jwks.joined(separator: ","))]}".utf8))
        } catch {
            Issue.record("test key set does not parse: \(error)")
            return JSONWebKeySet(keys: [])
        }
    }
}

/// ID token claims as raw JSON fragments, so a test can set a claim to any JSON at all.
struct Claims: Sendable {
    var raw: [String: String]

    static var valid: Claims {
        Claims(raw: [
            "iss": json(Fixture.issuer),
            "sub": json("248289761001"),
            "aud": json(Fixture.clientID),
            "exp": String(Fixture.now + 600),
            "iat": String(Fixture.now - 10),
            "nonce": json(Fixture.nonce),
            "email": json("jane@example.com"),
            "email_verified": "true",
            "name": json("Jane Doe"),
            "preferred_username": json("jane"),
        ])
    }

    /// This claim set with `name` set to the JSON text `value`, or removed when `value` is nil.
    func with(_ name: String, _ value: String?) -> Claims {
        var copy = self
        copy.raw[name] = value
        return copy
    }

    var json: String {
        "{" + raw.keys.sorted().map { "\(Self.json($0)):\(raw[$0] ?? "null")" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal for plain test text (no escaping needed in these tests beyond quotes).
    static func json(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A compact JWS over `claims` with `header`, signed with Ed25519 from `seed`.
func signedToken(_ claims: Claims = .valid, header: String = #"{"alg":"EdDSA","kid":"ed-1"}"#, seed: [UInt8] = Ed25519TestSigner.seed) -> String {
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.json.utf8))
    return input + "." + Base64URL.encode(Ed25519TestSigner.sign(Array(input.utf8), seed: seed))
}

/// A compact JWS over `claims` with an HS256 tag keyed by `secret`.
func hs256Token(_ claims: Claims = .valid, secret: String = Fixture.clientSecret) -> String {
    let input = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8)) + "." + Base64URL.encode(Array(claims.json.utf8))
    return input + "." + Base64URL.encode(Digest.hmacSHA256(key: Array(secret.utf8), message: Array(input.utf8)))
}

/// A token whose header says `header` and whose signature is junk: for checks that must come
/// before any signature check.
func unsignedToken(_ claims: Claims = .valid, header: String) -> String {
    Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.json.utf8)) + "." + Base64URL.encode([UInt8](repeating: 1, count: 64))
}

/// Validates as the callback will, with the fixture's defaults.
func validate(
    _ token: String,
    settings: OIDCProviderSettings = Fixture.settings,
    keys: JSONWebKeySet = Fixture.keySet(),
    advertised: [JWSAlgorithm]? = nil,
    nonce: String = Fixture.nonce,
    now: Int64 = Fixture.now
) throws(OIDCError) -> IDTokenClaims {
    try IDTokenValidator.validate(
        compactToken: token, keys: keys, settings: settings, advertisedAlgorithms: advertised, expectedNonce: nonce, now: now
    )
}
