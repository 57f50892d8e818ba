import Crypto
import JOSE
import Testing
@testable import OIDC

@Suite("ID token validation")
struct IDTokenValidatorTests {
    @Test("a well-formed token signed by the provider's key passes and its claims are read")
    func validToken() throws {
        let claims = try validate(signedToken())
        #expect(claims.issuer == Fixture.issuer)
        #expect(claims.subject == "248289761001")
        #expect(claims.audiences == [Fixture.clientID])
        #expect(claims.expiresAt == Fixture.now + 600)
        #expect(claims.issuedAt == Fixture.now - 10)
        #expect(claims.nonce == Fixture.nonce)
        #expect(claims.email == "jane@example.com")
        #expect(claims.emailVerified == .bool(true))
        #expect(claims.name == "Jane Doe")
        #expect(claims.preferredUsername == "jane")
        #expect(claims.algorithm == .edDSA)
        #expect(claims.all["email_verified"] == .bool(true))
        #expect(claims.authTime == nil)
        #expect(claims.sessionID == nil)
    }

    @Test("sid, the provider's session id, is read when present, for back-channel logout")
    func sessionIDIsRead() throws {
        let claims = try validate(signedToken(.valid.with("sid", Claims.json("08a5019c-17e1-4977-8f42-65a12843ea02"))))
        #expect(claims.sessionID == "08a5019c-17e1-4977-8f42-65a12843ea02")
        _ = try validate(signedToken(.valid.with("sid", Claims.json(String(repeating: "s", count: 255)))))
    }

    struct ClaimCase: Sendable, CustomTestStringConvertible {
        let claims: Claims
        let expected: OIDCError.Code
        let reason: String
        var testDescription: String { reason }
    }

    /// One row per claim rule; each token is valid but for the one claim the row changes, so
    /// each row fails only if its rule is missing.
    static let claimCases: [ClaimCase] = [
        ClaimCase(claims: .valid.with("iss", Claims.json("https://evil.example")), expected: .issuerMismatch, reason: "iss names another issuer"),
        ClaimCase(claims: .valid.with("iss", Claims.json("https://issuer.example/")), expected: .issuerMismatch, reason: "iss differs by a trailing slash: exact match, no normalisation"),
        ClaimCase(claims: .valid.with("iss", Claims.json("HTTPS://ISSUER.EXAMPLE")), expected: .issuerMismatch, reason: "iss differs in case"),
        ClaimCase(claims: .valid.with("iss", nil), expected: .issuerMismatch, reason: "iss is missing"),
        ClaimCase(claims: .valid.with("iss", "[\"https://issuer.example\"]"), expected: .issuerMismatch, reason: "iss is an array, not a string"),
        ClaimCase(claims: .valid.with("aud", Claims.json("another-client")), expected: .audienceMismatch, reason: "aud is another client's id"),
        ClaimCase(claims: .valid.with("aud", nil), expected: .audienceMismatch, reason: "aud is missing"),
        ClaimCase(claims: .valid.with("aud", "[]"), expected: .audienceMismatch, reason: "aud is an empty array"),
        ClaimCase(claims: .valid.with("aud", "[\"gatehouse-client\",7]"), expected: .audienceMismatch, reason: "aud array holds a non-string"),
        ClaimCase(claims: .valid.with("aud", "[\"other\",\"more\"]"), expected: .audienceMismatch, reason: "aud array lacks our client id"),
        ClaimCase(claims: .valid.with("aud", Claims.json("gatehouse-client ")), expected: .audienceMismatch, reason: "aud differs by a trailing space"),
        ClaimCase(claims: .valid.with("aud", "[\"gatehouse-client\",\"untrusted-api\"]").with("azp", Claims.json(Fixture.clientID)),
                  expected: .untrustedAudience, reason: "aud has an extra audience that is not configured as trusted"),
        ClaimCase(claims: .valid.with("azp", Claims.json("another-client")), expected: .authorizedPartyMismatch, reason: "azp names another client"),
        ClaimCase(claims: .valid.with("azp", "42"), expected: .authorizedPartyMismatch, reason: "azp is not a string"),
        ClaimCase(claims: .valid.with("exp", String(Fixture.now - 61)), expected: .expired, reason: "exp passed 61 s ago, beyond the 60 s skew"),
        ClaimCase(claims: .valid.with("exp", nil), expected: .expired, reason: "exp is missing"),
        ClaimCase(claims: .valid.with("exp", Claims.json("1900000000")), expected: .expired, reason: "exp is a string, not a NumericDate"),
        ClaimCase(claims: .valid.with("exp", "-9223372036854775808"), expected: .expired, reason: "exp at Int64.min must not trap in skew arithmetic"),
        ClaimCase(claims: .valid.with("iat", nil), expected: .issuedAtInvalid, reason: "iat is missing"),
        ClaimCase(claims: .valid.with("iat", String(Fixture.now + 61)), expected: .issuedAtInvalid, reason: "iat is 61 s in the future, beyond the skew"),
        ClaimCase(claims: .valid.with("iat", "true"), expected: .issuedAtInvalid, reason: "iat is a boolean"),
        ClaimCase(claims: .valid.with("nbf", String(Fixture.now + 61)), expected: .notYetValid, reason: "nbf is 61 s in the future, beyond the skew"),
        ClaimCase(claims: .valid.with("nbf", Claims.json("soon")), expected: .notYetValid, reason: "nbf is not a NumericDate"),
        ClaimCase(claims: .valid.with("nonce", Claims.json("another-nonce")), expected: .nonceMismatch, reason: "nonce is not the one we sent"),
        ClaimCase(claims: .valid.with("nonce", nil), expected: .nonceMismatch, reason: "nonce is missing"),
        ClaimCase(claims: .valid.with("nonce", Claims.json(Fixture.nonce + "x")), expected: .nonceMismatch, reason: "nonce has an extra character"),
        ClaimCase(claims: .valid.with("nonce", "1"), expected: .nonceMismatch, reason: "nonce is a number"),
        ClaimCase(claims: .valid.with("sub", nil), expected: .invalidSubject, reason: "sub is missing"),
        ClaimCase(claims: .valid.with("sub", "248289761001"), expected: .invalidSubject, reason: "sub is a number, not a string"),
        ClaimCase(claims: .valid.with("sub", Claims.json("")), expected: .invalidSubject, reason: "sub is empty"),
        ClaimCase(claims: .valid.with("sub", Claims.json(String(repeating: "a", count: 256))), expected: .invalidSubject, reason: "sub is 256 bytes, over 255"),
        ClaimCase(claims: .valid.with("sub", Claims.json(String(repeating: "é", count: 128))), expected: .invalidSubject, reason: "sub is 128 characters but 256 UTF-8 bytes"),
        ClaimCase(claims: .valid.with("sid", "42"), expected: .invalidSessionID, reason: "sid is a number: a back-channel logout could not name the session"),
        ClaimCase(claims: .valid.with("sid", Claims.json("")), expected: .invalidSessionID, reason: "sid is empty"),
        ClaimCase(claims: .valid.with("sid", Claims.json(String(repeating: "s", count: 256))), expected: .invalidSessionID, reason: "sid is 256 bytes, over 255"),
    ]

    @Test("each claim rule refuses a token that breaks it", arguments: claimCases)
    func claimRule(_ row: ClaimCase) {
        #expect(errorCode { try validate(signedToken(row.claims)) } == row.expected, "\(row.reason)")
    }

    @Test("boundaries that pass: clock skew, sub of exactly 255 bytes, trusted extra audience with azp, fractional dates")
    func acceptedEdges() throws {
        // exp exactly now is past, but within the 60 s skew.
        _ = try validate(signedToken(.valid.with("exp", String(Fixture.now))))
        _ = try validate(signedToken(.valid.with("exp", String(Fixture.now - 59))))
        _ = try validate(signedToken(.valid.with("iat", String(Fixture.now + 60))))
        _ = try validate(signedToken(.valid.with("nbf", String(Fixture.now + 60))))
        _ = try validate(signedToken(.valid.with("sub", Claims.json(String(repeating: "a", count: 255)))))
        _ = try validate(signedToken(.valid.with("exp", "1700000600.75").with("iat", "1.6999999e9")))
        var settings = Fixture.settings
        settings.trustedAudiences = ["trusted-api"]
        let multi = Claims.valid.with("aud", "[\"gatehouse-client\",\"trusted-api\"]").with("azp", Claims.json(Fixture.clientID))
        let claims = try validate(signedToken(multi), settings: settings)
        #expect(claims.audiences == ["gatehouse-client", "trusted-api"])
        // aud as an array with only our id and no azp is fine.
        _ = try validate(signedToken(.valid.with("aud", "[\"gatehouse-client\"]")))
    }

    @Test("with several audiences, azp is required even when every audience is trusted (OIDC Core 3.1.3.7 step 4)")
    func azpRequiredWithSeveralAudiences() {
        var settings = Fixture.settings
        settings.trustedAudiences = ["trusted-api"]
        let multi = Claims.valid.with("aud", "[\"gatehouse-client\",\"trusted-api\"]")
        #expect(errorCode { try validate(signedToken(multi), settings: settings) } == .authorizedPartyMismatch)
    }

    @Test("a configured clock skew of 0 makes exp exactly now expired")
    func zeroSkew() {
        var settings = Fixture.settings
        settings.clockSkewSeconds = 0
        #expect(errorCode { try validate(signedToken(.valid.with("exp", String(Fixture.now))), settings: settings) } == .expired)
        #expect(errorCode { try validate(signedToken(.valid.with("iat", String(Fixture.now + 1))), settings: settings) } == .issuedAtInvalid)
    }

    @Test("time is a parameter: the same token passes at one time and fails later")
    func timeIsAParameter() throws {
        let token = signedToken()
        _ = try validate(token, now: Fixture.now)
        #expect(errorCode { try validate(token, now: Fixture.now + 661) } == .expired)
    }

    @Test("an empty expected nonce matches nothing, not even an empty nonce claim")
    func emptyExpectedNonce() {
        #expect(errorCode { try validate(signedToken(.valid.with("nonce", Claims.json(""))), nonce: "") } == .nonceMismatch)
    }

    @Test("with max_age, auth_time is required and must be recent enough")
    func maxAge() throws {
        var settings = Fixture.settings
        settings.maxAge = 300
        #expect(errorCode { try validate(signedToken(), settings: settings) } == .authenticationTooOld, "auth_time missing")
        let old = Claims.valid.with("auth_time", String(Fixture.now - 300 - 61))
        #expect(errorCode { try validate(signedToken(old), settings: settings) } == .authenticationTooOld, "too old beyond skew")
        let recent = Claims.valid.with("auth_time", String(Fixture.now - 300))
        #expect(try validate(signedToken(recent), settings: settings).authTime == Fixture.now - 300)
        // Without max_age, auth_time is not required.
        _ = try validate(signedToken())
    }

    struct HeaderCase: Sendable, CustomTestStringConvertible {
        let header: String
        let expected: OIDCError.Code?
        let reason: String
        var testDescription: String { reason }
    }

    static let typeCases: [HeaderCase] = [
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt"}"#, expected: .wrongTokenType, reason: "an RFC 9068 access token"),
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1","typ":"AT+JWT"}"#, expected: .wrongTokenType, reason: "media types compare case-insensitively"),
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1","typ":"application/at+jwt"}"#, expected: .wrongTokenType, reason: "the full media type form"),
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1","typ":"Application/At+Jwt"}"#, expected: .wrongTokenType, reason: "the full form in mixed case"),
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1","typ":"logout+jwt"}"#, expected: .wrongTokenType, reason: "a back-channel logout token"),
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1","typ":"JWT"}"#, expected: nil, reason: "typ JWT is what most providers send"),
        HeaderCase(header: #"{"alg":"EdDSA","kid":"ed-1"}"#, expected: nil, reason: "typ is optional"),
    ]

    @Test("typ, when present, must not name an access or logout token", arguments: typeCases)
    func tokenType(_ row: HeaderCase) {
        #expect(errorCode { try validate(signedToken(header: row.header)) } == row.expected, "\(row.reason)")
    }

    static let algorithmCases: [HeaderCase] = [
        HeaderCase(header: #"{"alg":"ES384","kid":"ed-1"}"#, expected: .algorithmNotAllowed, reason: "ES384 is implemented but not in the default allow-list"),
        HeaderCase(header: #"{"alg":"RS512","kid":"ed-1"}"#, expected: .algorithmNotAllowed, reason: "RS512 is implemented but not in the default allow-list"),
        HeaderCase(header: #"{"alg":"HS256","kid":"ed-1"}"#, expected: .algorithmNotAllowed, reason: "HS256 without allowHMAC"),
        HeaderCase(header: #"{"alg":"none"}"#, expected: .algorithmNotAllowed, reason: "none is never an algorithm"),
        HeaderCase(header: #"{"alg":"eddsa","kid":"ed-1"}"#, expected: .algorithmNotAllowed, reason: "alg names are case-sensitive"),
    ]

    @Test("the allow-list is enforced before the signature: junk signatures fail as algorithmNotAllowed", arguments: algorithmCases)
    func algorithmAllowList(_ row: HeaderCase) {
        #expect(errorCode { try validate(unsignedToken(header: row.header)) } == row.expected, "\(row.reason)")
    }

    @Test("the algorithm policy on its own refuses an alg outside its list, and anything it does not implement")
    func algorithmPolicyAlone() throws {
        let header = try UnverifiedJWS.parse(signedToken()).header
        #expect(errorCode { try AlgorithmPolicy(allowed: [.rs256]).check(header) } == .algorithmNotAllowed)
        try AlgorithmPolicy(allowed: [.edDSA]).check(header)
        let none = try UnverifiedJWS.parse(unsignedToken(header: #"{"alg":"none"}"#)).header
        #expect(errorCode { try AlgorithmPolicy(allowed: JWSAlgorithm.all).check(none) } == .algorithmNotAllowed)
    }

    @Test("iss is compared byte for byte: a canonically equivalent spelling is another issuer")
    func issuerByteExact() throws {
        var settings = Fixture.settings
        settings.issuer = "https://issuer.example/caf\u{E9}"
        _ = try validate(signedToken(.valid.with("iss", Claims.json("https://issuer.example/caf\u{E9}"))), settings: settings)
        #expect(errorCode { try validate(signedToken(.valid.with("iss", Claims.json("https://issuer.example/cafe\u{301}"))), settings: settings) } == .issuerMismatch)
    }

    @Test("discovery narrows the allow-list: an EdDSA token fails when the provider advertises only RS256")
    func discoveryNarrowsAlgorithms() throws {
        #expect(errorCode { try validate(signedToken(), advertised: [.rs256]) } == .algorithmNotAllowed)
        _ = try validate(signedToken(), advertised: [.rs256, .edDSA])
        // An advertised algorithm outside the configured list does not widen it.
        var settings = Fixture.settings
        settings.allowedAlgorithms = [.rs256]
        #expect(errorCode { try validate(signedToken(), settings: settings, advertised: [.rs256, .edDSA]) } == .algorithmNotAllowed)
    }

    @Test("HS256 keyed by the client secret passes only with allowHMAC, and only with the right secret")
    func hmacOptIn() throws {
        #expect(errorCode { try validate(hs256Token()) } == .algorithmNotAllowed)
        var settings = Fixture.settings
        settings.allowHMAC = true
        let claims = try validate(hs256Token(), settings: settings)
        #expect(claims.algorithm == .hs256)
        #expect(errorCode { try validate(hs256Token(secret: Fixture.clientSecret + "x"), settings: settings) } == .badSignature)
        // Discovery that does not advertise HS256 still narrows it away.
        #expect(errorCode { try validate(hs256Token(), settings: settings, advertised: [.rs256]) } == .algorithmNotAllowed)
    }

    @Test("a token signed by another key under the provider's kid fails as badSignature")
    func badSignature() {
        let error = #expect(throws: OIDCError.self) { try validate(signedToken(seed: Ed25519TestSigner.otherSeed)) }
        #expect(error?.code == .badSignature)
        #expect(error?.joseCode == .badSignature)
    }

    @Test("a token whose claims were changed after signing fails as badSignature")
    func tamperedPayload() {
        let parts = signedToken().split(separator: ".")
        let forged = Base64URL.encode(Array(Claims.valid.with("sub", Claims.json("admin")).json.utf8))
        #expect(errorCode { try validate("\(parts[0]).\(forged).\(parts[2])") } == .badSignature)
    }

    @Test("an unknown kid surfaces as unknownSigningKey, distinct from other key failures")
    func unknownKeyID() {
        let token = signedToken(header: #"{"alg":"EdDSA","kid":"rotated-in"}"#)
        let error = #expect(throws: OIDCError.self) { try validate(token) }
        #expect(error?.code == .unknownSigningKey)
        #expect(error?.joseCode == .unknownKeyID)
        // A kid that exists but on an unusable key is a different failure.
        let keys = Fixture.keySet([#"{"kty":"EC","crv":"P-256","kid":"ed-1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#])
        #expect(errorCode { try validate(signedToken(), keys: keys) } == .noUsableKey)
    }

    @Test("malformed tokens fail as malformedIDToken", arguments: [
        ("", "empty"),
        ("abc", "one segment"),
        ("a.b.c.d", "four segments"),
        ("eyJhbGciOiJFZERTQSJ9.e30=.AA", "padded base64url"),
    ])
    func malformed(_ token: String, _ reason: String) {
        #expect(errorCode { try validate(token) } == .malformedIDToken, "\(reason)")
    }

    @Test("a payload that is not a JSON object fails as malformedIDToken even with a good signature")
    func payloadNotObject() {
        let input = Base64URL.encode(Array(#"{"alg":"EdDSA","kid":"ed-1"}"#.utf8)) + "." + Base64URL.encode(Array("[1,2]".utf8))
        let token = input + "." + Base64URL.encode(Ed25519TestSigner.sign(Array(input.utf8), seed: Ed25519TestSigner.seed))
        #expect(errorCode { try validate(token) } == .malformedIDToken)
    }

    @Test("the policy list for default settings has one policy per rule, each with its own code")
    func policyList() {
        let policies = IDTokenValidator.claimPolicies(settings: Fixture.settings, expectedNonce: Fixture.nonce, now: Fixture.now)
        #expect(policies.map(\.reason.code) == [
            .issuerMismatch, .audienceMismatch, .authorizedPartyMismatch, .expired, .issuedAtInvalid, .notYetValid, .nonceMismatch, .invalidSubject,
            .invalidSessionID,
        ])
        #expect(policies.allSatisfy { !$0.reason.sentence.isEmpty })
        #expect(IDTokenValidator.headerPolicies(allowedAlgorithms: [.rs256]).map(\.reason.code) == [.wrongTokenType, .algorithmNotAllowed])
    }

    @Test("error messages never quote the nonce or the subject")
    func messagesHoldNoSecrets() {
        let wrongNonce = "attacker-nonce-value"
        do {
            _ = try validate(signedToken(.valid.with("nonce", Claims.json(wrongNonce))))
            Issue.record("expected a failure")
        } catch {
            #expect(!error.message.contains(wrongNonce))
            #expect(!error.message.contains(Fixture.nonce))
        }
    }
}
