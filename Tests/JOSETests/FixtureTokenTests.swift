import Crypto
import Testing
@testable import JOSE

/// Tokens made by an independent implementation (joserfc, see Fixtures/generate.py): every valid
/// one must verify, every other one must fail with the code the generator names.
@Suite("Tokens from joserfc")
struct FixtureTokenTests {
    @Test("the fixture file is there and has tokens")
    func fileIsThere() throws {
        let fixtures = try FixtureFile.load()
        #expect(fixtures.tokens.count >= 20)
        #expect(fixtures.generator.hasPrefix("joserfc"))
    }

    @Test("the published key set parses; the 1024-bit key is skipped as weak")
    func keySetParses() throws {
        let fixtures = try FixtureFile.load()
        let keys = try JSONWebKeySet(json: fixtures.jwksJSON)
        #expect(keys.keys.compactMap(\.keyID) == ["rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519"])
        #expect(keys.skipped.map(\.keyID) == ["rsa-1024"], "\(keys.skipped.map(\.reason))")
        #expect(keys.skipped.map(\.code) == [.weakKey])
    }

    @Test("each token verifies or fails as the generator says", arguments: FixtureFile.tokensOrEmpty)
    func token(_ row: FixtureFile.Token) throws {
        let fixtures = try FixtureFile.load()
        let keys = try JSONWebKeySet(json: fixtures.jwksJSON)
        let secret = try Base64URL.decode(fixtures.hmacSecret)
        if let expected = row.expectedCode {
            let code = try #require(JOSEError.Code.named(expected), "unknown code in fixture: \(expected)")
            #expect(errorCode { try verify(row.token, keys: keys) } == code, "\(row.reason)")
        } else {
            let verified = try verify(row.token, keys: keys, hmacSecret: secret)
            #expect(verified.payload == Array(fixtures.payload.utf8), "\(row.reason)")
            #expect(verified.algorithm.rawValue == verified.header.algorithm)
        }
    }

    @Test("an HS256 token keyed with the RSA public key fails even when a real secret is configured")
    func hmacKeyConfusionWithSecret() throws {
        let fixtures = try FixtureFile.load()
        let keys = try JSONWebKeySet(json: fixtures.jwksJSON)
        let secret = try Base64URL.decode(fixtures.hmacSecret)
        let row = try #require(fixtures.tokens.first { $0.name == "hs256-keyed-with-rsa-public-pem" })
        #expect(errorCode { try verify(row.token, keys: keys, hmacSecret: secret) } == .badSignature)
    }
}
