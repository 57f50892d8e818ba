import JOSE
import Testing
@testable import OIDC

@Suite("Token request and responses")
struct TokenExchangeTests {
    @Test("client_secret_basic: form body without the secret, Basic header with form-urlencoded id and secret")
    func basic() {
        let request = TokenRequest(
            code: "c/1 +", redirectURI: "https://login.example.com/cb", codeVerifier: "v-1", clientID: Fixture.settings.clientID,
            credentials: .secretBasic(Fixture.settings.clientSecret)
        )
        #expect(request.body == "grant_type=authorization_code&code=c%2F1+%2B&redirect_uri=https%3A%2F%2Flogin.example.com%2Fcb"
            + "&code_verifier=v-1&client_id=gatehouse-client")
        #expect(!request.body.contains("client_secret"))
        #expect(request.authorizationHeader == "Basic Z2F0ZWhvdXNlLWNsaWVudDpzM2NyM3QtczNjcjN0LXMzY3IzdC1zM2NyM3QtczNjcjN0LXMzY3IzdC1zM2NyM3QtczNjcjN0LXMzY3IzdC1zM2NyM3Qt")
        #expect(TokenRequest.contentType == "application/x-www-form-urlencoded")
    }

    @Test("RFC 6749 2.3.1: id and secret are form-urlencoded before base64 (expected value from Python's urllib)")
    func basicEncoding() {
        let request = TokenRequest(code: "c", redirectURI: "https://x/cb", codeVerifier: "v", clientID: "client id:1", credentials: .secretBasic("p@ss w%rd:+/é"))
        #expect(request.authorizationHeader == "Basic Y2xpZW50K2lkJTNBMTpwJTQwc3MrdyUyNXJkJTNBJTJCJTJGJUMzJUE5")
    }

    @Test("client_secret_post: id and secret in the body, no Authorization header")
    func post() {
        let request = TokenRequest(code: "c", redirectURI: "https://x/cb", codeVerifier: "v", clientID: "gatehouse-client", credentials: .secretPost("a&b=c"))
        #expect(request.authorizationHeader == nil)
        #expect(request.body.hasSuffix("&client_id=gatehouse-client&client_secret=a%26b%3Dc"))
    }

    @Test("private_key_jwt: the assertion and its RFC 7523 type in the body, no secret, no Authorization header")
    func assertion() {
        let request = TokenRequest(code: "c", redirectURI: "https://x/cb", codeVerifier: "v", clientID: "gatehouse-client", credentials: .assertion("h.p.s"))
        #expect(request.authorizationHeader == nil)
        #expect(request.body.hasSuffix(
            "&client_id=gatehouse-client&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=h.p.s"
        ))
        #expect(!request.body.contains("client_secret"))
    }

    @Test("a success response parses; Bearer in any case")
    func success() throws {
        let response = try TokenResponse.parse(Array(#"{"access_token":"at","token_type":"bearer","id_token":"a.b.c","expires_in":3600,"scope":"openid"}"#.utf8))
        #expect(response.accessToken == "at")
        #expect(response.idToken == "a.b.c")
        #expect(response.expiresIn == 3600)
        #expect(response.scope == "openid")
        #expect(response.refreshToken == nil)
        _ = try TokenResponse.parse(Array(#"{"access_token":"at","token_type":"BEARER","id_token":"a.b.c"}"#.utf8))
    }

    @Test("success responses that are refused", arguments: [
        (#"{"token_type":"Bearer","id_token":"a.b.c"}"#, OIDCError.Code.malformedTokenResponse, "no access_token"),
        (#"{"access_token":"","token_type":"Bearer","id_token":"a.b.c"}"#, .malformedTokenResponse, "empty access_token"),
        (#"{"access_token":"at","id_token":"a.b.c"}"#, .malformedTokenResponse, "no token_type"),
        (#"{"access_token":"at","token_type":"MAC","id_token":"a.b.c"}"#, .unsupportedTokenType, "token_type MAC"),
        (#"{"access_token":"at","token_type":"DPoP","id_token":"a.b.c"}"#, .unsupportedTokenType, "token_type DPoP, which we did not ask for"),
        (#"{"access_token":"at","token_type":"Bearer"}"#, .malformedTokenResponse, "no id_token: plain OAuth, not OpenID Connect"),
        (#"{"access_token":"at","token_type":"Bearer","id_token":7}"#, .malformedTokenResponse, "id_token not a string"),
        (#"{"access_token":"at","token_type":"Bearer","id_token":"a.b.c","expires_in":"3600"}"#, .malformedTokenResponse, "expires_in as a string"),
        (#"{"access_token":"at","token_type":"Bearer","id_token":"a.b.c","expires_in":-1}"#, .malformedTokenResponse, "negative expires_in"),
        (#"[]"#, .malformedTokenResponse, "not an object"),
        ("<html>", .malformedTokenResponse, "not JSON"),
    ])
    func refusedSuccess(_ json: String, _ expected: OIDCError.Code, _ reason: String) {
        #expect(errorCode { try TokenResponse.parse(Array(json.utf8)) } == expected, "\(reason)")
    }

    @Test("an error response gives error and a printable description")
    func errorResponse() throws {
        let error = try TokenErrorResponse.parse(Array(#"{"error":"invalid_grant","error_description":"Code expired"}"#.utf8))
        #expect(error == TokenErrorResponse(error: "invalid_grant", errorDescription: "Code expired"))
        let noDescription = try TokenErrorResponse.parse(Array(#"{"error":"invalid_client","error_description":"bad\n<b>"}"#.utf8))
        #expect(noDescription.errorDescription == nil, "a description with a newline is dropped")
        #expect(errorCode { try TokenErrorResponse.parse(Array(#"{"error_description":"x"}"#.utf8)) } == .malformedTokenError)
        #expect(errorCode { try TokenErrorResponse.parse(Array(#"{"error":"a\"b"}"#.utf8)) } == .malformedTokenError)
        #expect(errorCode { try TokenErrorResponse.parse(Array("Internal Server Error".utf8)) } == .malformedTokenError)
    }

    @Test("responses over the cap are refused")
    func tooLarge() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: TokenResponse.maximumBytes + 1)
        #expect(errorCode { try TokenResponse.parse(bytes) } == .responseTooLarge)
    }
}

@Suite("Userinfo merge")
struct UserinfoResultTests {
    static func idToken() throws -> IDTokenClaims {
        try validate(signedToken(.valid.with("name", Claims.json("Jane From Token"))))
    }

    @Test("same sub: userinfo claims are added, the ID token's win on conflict")
    func merged() throws {
        let userinfo = #"{"sub":"248289761001","name":"Someone Else","email":"jane@example.com","picture":"https://x/p.png","email_verified":false}"#
        let result = UserinfoResult.merge(idToken: try Self.idToken(), userinfoBytes: Array(userinfo.utf8))
        #expect(result.discardedBecause == nil)
        #expect(result.name == "Jane From Token")
        #expect(result.emailVerified == .bool(true), "the ID token said true; userinfo's false does not win")
        #expect(result.claims["picture"] == .string("https://x/p.png"))
        #expect(result.claims["iss"] == .string(Fixture.issuer))
    }

    /// Review finding: merged claim by claim, userinfo's `email_verified: true` about its own
    /// address verified the ID token's other address. The two claims travel as a pair.
    @Test("an email is verified only by what its own source says of it", arguments: [
        (#""jane@example.com""#, nil, #""email":"boss@example.com","email_verified":true"#, nil, "userinfo vouched for another address"),
        (#""jane@example.com""#, nil, #""email":"jane@example.com","email_verified":true"#, JSONValue.bool(true), "the same address"),
        (#""jane@example.com""#, nil, #""email":"Jane@example.com","email_verified":true"#, nil, "an address differing by case"),
        (#""jane@example.com""#, "false", #""email":"jane@example.com","email_verified":true"#, .bool(false), "the token's own word wins"),
        (nil, "true", #""email":"boss@example.com""#, nil, "the token's verification with no address of its own"),
        (nil, nil, #""email":"jane@example.com","email_verified":true"#, .bool(true), "userinfo's own pair"),
    ] as [(String?, String?, String, JSONValue?, String)])
    func emailAndItsVerificationArePaired(
        tokenEmail: String?, tokenVerified: String?, userinfo: String, expected: JSONValue?, reason: String
    ) throws {
        let token = try validate(signedToken(Claims.valid.with("email", tokenEmail).with("email_verified", tokenVerified)))
        let result = UserinfoResult.merge(idToken: token, userinfoBytes: Array("{\"sub\":\"248289761001\",\(userinfo)}".utf8))
        #expect(result.discardedBecause == nil)
        #expect(result.emailVerified == expected, "\(reason)")
    }

    @Test("userinfo claims are discarded, and the result says why", arguments: [
        (#"{"sub":"someone-else","email":"attacker@example.com"}"#, OIDCError.Code.userinfoSubjectMismatch, "another subject's claims"),
        (#"{"email":"attacker@example.com"}"#, .malformedUserinfo, "no sub"),
        (#"{"sub":248289761001}"#, .malformedUserinfo, "sub as a number"),
        (#"{"sub":"248289761001 "}"#, .userinfoSubjectMismatch, "sub differing by a space"),
        ("eyJhbGciOiJub25lIn0.e30.", .malformedUserinfo, "a JWT instead of JSON"),
    ])
    func discarded(_ userinfo: String, _ expected: OIDCError.Code, _ reason: String) throws {
        let idToken = try Self.idToken()
        let result = UserinfoResult.merge(idToken: idToken, userinfoBytes: Array(userinfo.utf8))
        #expect(result.discardedBecause?.code == expected, "\(reason)")
        #expect(result.claims == idToken.all, "\(reason)")
        #expect(result.email == "jane@example.com")
    }
}
