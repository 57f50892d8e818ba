import JOSE
import Testing
import TestSupport
@testable import DevProvider

@Suite("dev-idp deliberate faults")
struct FaultTests {
    /// Signs in with `fault` and returns the tokens and the provider they came from.
    static func tokens(with fault: DevFault) throws -> (RunningDevProvider, idToken: String, accessToken: String) {
        let running = try RunningDevProvider()
        var person = RunningDevProvider.Person()
        person.fault = fault
        let tokens = try running.tokens(person)
        return (running, try #require(tokens["id_token"]?.stringValue), try #require(tokens["access_token"]?.stringValue))
    }

    /// The JOSE error code verification fails with, or nil when the token verifies.
    static func verificationError(_ running: RunningDevProvider, _ token: String) -> JOSEError.Code? {
        do {
            _ = try running.verifiedClaims(token)
            return nil
        } catch let error as JOSEError {
            return error.code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("every fault can be chosen and yields a token", arguments: DevFault.allCases)
    func everyFaultIssues(_ fault: DevFault) throws {
        let (_, idToken, accessToken) = try Self.tokens(with: fault)
        #expect(!idToken.isEmpty && !accessToken.isEmpty)
    }

    @Test("no fault: the token verifies and its claims are right")
    func none() throws {
        let (running, token, _) = try Self.tokens(with: .none)
        let claims = try running.verifiedClaims(token).claims
        #expect(claims["aud"] == .string("gatehouse-dev"))
        #expect(claims["iss"] == .string(running.provider.issuer))
    }

    @Test("wrong_audience: aud is another client, and there is no azp")
    func wrongAudience() throws {
        let (running, token, _) = try Self.tokens(with: .wrongAudience)
        let claims = try running.verifiedClaims(token).claims
        #expect(claims["aud"] == .string(DevTokenIssuer.otherAudience))
        #expect(claims["aud"] != .string("gatehouse-dev"))
        #expect(claims["azp"] == nil)
    }

    @Test("extra_audience: aud holds our client and another, azp is ours")
    func extraAudience() throws {
        let (running, token, _) = try Self.tokens(with: .extraAudience)
        let claims = try running.verifiedClaims(token).claims
        #expect(claims["aud"] == .array([.string("gatehouse-dev"), .string(DevTokenIssuer.otherAudience)]))
        #expect(claims["azp"] == .string("gatehouse-dev"))
    }

    @Test("expired: exp lies in the past by more than any clock skew")
    func expired() throws {
        let (running, token, _) = try Self.tokens(with: .expired)
        let claims = try running.verifiedClaims(token).claims
        let exp = try #require(claims["exp"]?.int64Value)
        #expect(exp <= running.clock.now - 300)
        #expect(try #require(claims["iat"]?.int64Value) < exp)
    }

    @Test("issued_in_future: iat lies ahead by more than any clock skew")
    func issuedInFuture() throws {
        let (running, token, _) = try Self.tokens(with: .issuedInFuture)
        let claims = try running.verifiedClaims(token).claims
        #expect(try #require(claims["iat"]?.int64Value) >= running.clock.now + 600)
        #expect(try #require(claims["exp"]?.int64Value) > running.clock.now)
    }

    @Test("wrong_issuer: iss is not this provider")
    func wrongIssuer() throws {
        let (running, token, _) = try Self.tokens(with: .wrongIssuer)
        let claims = try running.verifiedClaims(token).claims
        #expect(claims["iss"] == .string(DevTokenIssuer.otherIssuer))
        #expect(claims["iss"] != .string(running.provider.issuer))
    }

    @Test("wrong_nonce: nonce is not the one sent")
    func wrongNonce() throws {
        let (running, token, _) = try Self.tokens(with: .wrongNonce)
        let nonce = try running.verifiedClaims(token).claims["nonce"]
        #expect(nonce != nil)
        #expect(nonce != .string("nonce-456"))
    }

    @Test("bad_signature: well-formed, current kid, and the signature fails")
    func badSignature() throws {
        let (running, token, _) = try Self.tokens(with: .badSignature)
        #expect(try UnverifiedJWS.parse(token).header.keyID == running.provider.currentKeyID)
        #expect(Self.verificationError(running, token) == .badSignature)
        #expect(try RunningDevProvider.unverifiedClaims(token)["sub"] == .string("alice"), "only the signature is wrong")
    }

    @Test("unknown_kid: signed by a key whose kid the JWKS does not hold")
    func unknownKid() throws {
        let (running, token, _) = try Self.tokens(with: .unknownKid)
        let kid = try #require(try UnverifiedJWS.parse(token).header.keyID)
        #expect(!running.provider.publishedKeyIDs.contains(kid))
        #expect(Self.verificationError(running, token) == .unknownKeyID)
    }

    @Test("alg_none: alg is none and the signature is empty")
    func algNone() throws {
        let (running, token, _) = try Self.tokens(with: .algNone)
        #expect(token.hasSuffix("."))
        #expect(try UnverifiedJWS.parse(token).header.algorithm == "none")
        #expect(Self.verificationError(running, token) == .unsupportedAlgorithm)
        #expect(try RunningDevProvider.unverifiedClaims(token)["aud"] == .string("gatehouse-dev"), "only the algorithm is wrong")
    }

    @Test("access_token_type: the ID token's typ is at+jwt, and it verifies otherwise")
    func accessTokenType() throws {
        let (running, token, _) = try Self.tokens(with: .accessTokenType)
        #expect(try running.verifiedClaims(token).header.type == "at+jwt")
    }

    @Test("userinfo_wrong_subject: the ID token is right, userinfo names someone else")
    func userinfoWrongSubject() throws {
        let (running, token, accessToken) = try Self.tokens(with: .userinfoWrongSubject)
        #expect(try running.verifiedClaims(token).claims["sub"] == .string("alice"))
        let userInfo = try jsonObject(try running.get("/userinfo", headers: [("Authorization", "Bearer \(accessToken)")]))
        #expect(userInfo["sub"] != nil)
        #expect(userInfo["sub"] != .string("alice"))
    }

    @Test("a fault changes only its own sign-in")
    func faultsDoNotLeak() throws {
        let running = try RunningDevProvider()
        var person = RunningDevProvider.Person()
        person.fault = .wrongAudience
        _ = try running.tokens(person)
        let clean = try #require(try running.tokens()["id_token"]?.stringValue)
        #expect(try running.verifiedClaims(clean).claims["aud"] == .string("gatehouse-dev"))
    }
}
