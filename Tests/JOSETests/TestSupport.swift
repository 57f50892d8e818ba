import Crypto
import Foundation
import Testing
@testable import JOSE

/// Runs `body` and returns the JOSE error code it threw, or nil when it did not throw.
/// (Untyped `throws` because closures inside `#expect` do not infer a typed one.)
func errorCode<T>(_ body: () throws -> T) -> JOSEError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as JOSEError {
        return error.code
    } catch {
        Issue.record("threw something other than JOSEError: \(error)")
        return nil
    }
}

/// Parses and verifies in one go, as a caller would.
func verify(
    _ token: String,
    keys: JSONWebKeySet,
    allowed: Set<JWSAlgorithm> = Set(JWSAlgorithm.all),
    hmacSecret: [UInt8]? = nil
) throws(JOSEError) -> VerifiedJWS {
    let jws = try UnverifiedJWS.parse(token)
    return try JWSVerifier(allowedAlgorithms: allowed).verify(jws, keys: keys, hmacSecret: hmacSecret)
}

/// The base64url of a JSON header written as text, so tests can craft exactly the header they mean.
func encodedHeader(_ json: String) -> String {
    Base64URL.encode(Array(json.utf8))
}

/// A key set from JSON text.
func keySet(_ json: String) throws(JOSEError) -> JSONWebKeySet {
    try JSONWebKeySet(json: Array(json.utf8))
}

/// The tokens and keys that `Fixtures/generate.py` made with joserfc.
struct FixtureFile: Decodable {
    struct Token: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let token: String
        let expectedCode: String?
        let reason: String
        var testDescription: String { name }
    }
    let generator: String
    let hmacSecret: String
    let payload: String
    let tokens: [Token]

    /// The `jwks` member, re-serialised so our own parser reads it.
    let jwksJSON: [UInt8]

    enum CodingKeys: String, CodingKey { case generator, hmacSecret, payload, tokens }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        generator = try container.decode(String.self, forKey: .generator)
        hmacSecret = try container.decode(String.self, forKey: .hmacSecret)
        payload = try container.decode(String.self, forKey: .payload)
        tokens = try container.decode([Token].self, forKey: .tokens)
        jwksJSON = []
    }

    private init(copying other: FixtureFile, jwksJSON: [UInt8]) {
        generator = other.generator
        hmacSecret = other.hmacSecret
        payload = other.payload
        tokens = other.tokens
        self.jwksJSON = jwksJSON
    }

    static func load() throws -> FixtureFile {
        guard let url = Bundle.module.url(forResource: "tokens", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        let data = try Data(contentsOf: url)
        let decoded = try JSONDecoder().decode(FixtureFile.self, from: data)
        let whole = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let jwks = try JSONSerialization.data(withJSONObject: whole?["jwks"] ?? [:])
        return FixtureFile(copying: decoded, jwksJSON: Array(jwks))
    }

    /// Loads the file for use in `@Test(arguments:)`, where a throw cannot be reported; an
    /// unreadable file yields no rows, and `FixtureTokenTests.fileIsThere` then fails.
    static var tokensOrEmpty: [Token] { (try? load())?.tokens ?? [] }
}

struct FixtureMissing: Error {}

extension JOSEError.Code {
    /// The code with this name, for fixture files that name codes as text.
    static func named(_ name: String) -> JOSEError.Code? {
        let all: [JOSEError.Code] = [
            .malformed, .tooLarge, .unsupportedAlgorithm, .algorithmNotAllowed, .criticalHeader, .unknownKeyID,
            .noSuitableKey, .ambiguousKey, .badSignature, .weakKey, .invalidKey, .internalFailure,
        ]
        return all.first { $0.description == name }
    }
}
