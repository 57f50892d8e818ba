import Foundation
import HTTP
import JOSE
import Testing
import TestSupport
@testable import DevProvider

@Suite("dev-idp authorization code flow")
struct CodeFlowTests {
    /// A code the provider never issued, different from `code` by construction: its first
    /// character replaced by another one. (Always "A" was the code itself one time in 64.)
    static func neverIssued(_ code: String) -> String {
        let other: Character = code.first == "A" ? "B" : "A"
        return String(other) + code.dropFirst()
    }

    @Test("a full code flow with PKCE yields an ID token the JWKS verifies, with every claim")
    func fullFlow() throws {
        let running = try RunningDevProvider()
        let callback = try running.signIn()
        #expect(callback.first("state") == "state-123")
        #expect(callback.first("iss") == running.provider.issuer, "RFC 9207")
        let code = try #require(callback.first("code"))
        #expect(code.utf8.count == 43, "256 random bits")

        let response = try running.exchange(code: code)
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Pragma") == "no-cache")
        let tokens = try jsonObject(response)
        #expect(tokens["token_type"] == .string("Bearer"))
        #expect(tokens["expires_in"] == .integer(3600))
        #expect(tokens["access_token"]?.stringValue?.isEmpty == false)

        let (header, claims) = try running.verifiedClaims(try #require(tokens["id_token"]?.stringValue))
        #expect(header.type == "JWT")
        #expect(header.keyID == running.provider.currentKeyID)
        let now = running.clock.now
        #expect(claims["iss"] == .string(running.provider.issuer))
        #expect(claims["sub"] == .string("alice"))
        #expect(claims["aud"] == .string("gatehouse-dev"))
        #expect(claims["azp"] == .string("gatehouse-dev"))
        #expect(claims["iat"] == .integer(now))
        #expect(claims["exp"] == .integer(now + 600))
        #expect(claims["auth_time"] == .integer(now))
        #expect(claims["nonce"] == .string("nonce-456"))
        #expect(claims["email"] == .string("alice@example.com"))
        #expect(claims["email_verified"] == .bool(true), "a JSON boolean, not a string")
        #expect(claims["name"] == .string("Alice Example"))
        #expect(claims["preferred_username"] == .string("alice"))
    }

    @Test("what the person types is what the tokens say")
    func typedIdentity() throws {
        let running = try RunningDevProvider()
        var person = RunningDevProvider.Person()
        person.subject = "user \"42\" <é>"
        person.email = "bob@example.org"
        person.emailVerified = false
        person.name = ""
        person.preferredUsername = "bob"
        let tokens = try running.tokens(person)
        let claims = try running.verifiedClaims(try #require(tokens["id_token"]?.stringValue)).claims
        #expect(claims["sub"] == .string("user \"42\" <é>"))
        #expect(claims["email"] == .string("bob@example.org"))
        #expect(claims["email_verified"] == .bool(false))
        #expect(claims["name"] == nil, "an empty field is left out, not sent empty")
    }

    @Test("claims follow the scopes: no email without `email`, no name without `profile`")
    func scopes() throws {
        let running = try RunningDevProvider()
        let tokens = try running.tokens(request: ["scope": "openid"])
        #expect(tokens["scope"] == .string("openid"))
        let claims = try running.verifiedClaims(try #require(tokens["id_token"]?.stringValue)).claims
        #expect(claims["sub"] == .string("alice"))
        for absent in ["email", "email_verified", "name", "preferred_username"] {
            #expect(claims[absent] == nil, "\(absent)")
        }
    }

    @Test("without a nonce in the request there is none in the token; state is optional too")
    func noNonceNoState() throws {
        let running = try RunningDevProvider()
        let callback = try running.signIn(request: ["nonce": nil, "state": nil])
        #expect(callback.first("state") == nil)
        let response = try running.exchange(code: try #require(callback.first("code")))
        let claims = try running.verifiedClaims(try #require(try jsonObject(response)["id_token"]?.stringValue)).claims
        #expect(claims["nonce"] == nil)
    }

    @Test("a code is single use: the second exchange is invalid_grant")
    func codeReplay() throws {
        let running = try RunningDevProvider()
        let code = try #require(try running.signIn().first("code"))
        #expect(try running.exchange(code: code).status == 200)
        let replay = try running.exchange(code: code)
        #expect(replay.status == 400)
        #expect(try jsonObject(replay)["error"] == .string("invalid_grant"))
    }

    @Test("a wrong code_verifier is invalid_grant, and the code is spent")
    func wrongVerifier() throws {
        let running = try RunningDevProvider()
        let code = try #require(try running.signIn().first("code"))
        let wrong = try running.exchange(code: code, verifier: String(repeating: "a", count: 43))
        #expect(wrong.status == 400)
        #expect(try jsonObject(wrong)["error"] == .string("invalid_grant"))
        let retry = try running.exchange(code: code)
        #expect(try jsonObject(retry)["error"] == .string("invalid_grant"), "no second try with the right verifier")
    }

    @Test("token requests that must fail, with the RFC 6749 5.2 error", arguments: [
        (TokenCase.missingVerifier, 400, "invalid_request", "PKCE is not optional"),
        (.shortVerifier, 400, "invalid_grant", "a verifier under 43 characters never matches"),
        (.otherRedirectURI, 400, "invalid_grant", "the code is bound to its redirect_uri"),
        (.missingRedirectURI, 400, "invalid_request", "redirect_uri was in the request, so it is required"),
        (.refreshGrant, 400, "unsupported_grant_type", "only authorization_code"),
        (.unknownCode, 400, "invalid_grant", "a code never issued"),
        (.expiredCode, 400, "invalid_grant", "codes live 60 seconds"),
        (.repeatedCode, 400, "invalid_request", "a repeated parameter is ambiguous"),
    ])
    func tokenErrors(_ testCase: TokenCase, _ status: Int, _ error: String, _ reason: String) throws {
        let running = try RunningDevProvider()
        let code = try #require(try running.signIn().first("code"))
        let response: TestClientResponse
        switch testCase {
        case .missingVerifier:
            response = try running.postForm("/token", [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", RunningDevProvider.redirectURI),
            ], headers: [basicHeader("gatehouse-dev", "dev-secret")])
        case .shortVerifier:
            response = try running.exchange(code: code, verifier: String(PKCEVector.verifier.prefix(42)))
        case .otherRedirectURI:
            response = try running.exchange(code: code, redirectURI: RunningDevProvider.secondRedirectURI)
        case .missingRedirectURI:
            response = try running.postForm("/token", [
                ("grant_type", "authorization_code"), ("code", code), ("code_verifier", PKCEVector.verifier),
            ], headers: [basicHeader("gatehouse-dev", "dev-secret")])
        case .refreshGrant:
            response = try running.postForm("/token", [("grant_type", "refresh_token"), ("refresh_token", "x")],
                                            headers: [basicHeader("gatehouse-dev", "dev-secret")])
        case .unknownCode:
            response = try running.exchange(code: Self.neverIssued(code))
        case .expiredCode:
            running.clock.advance(by: 61)
            response = try running.exchange(code: code)
        case .repeatedCode:
            response = try running.exchange(code: code, extra: [("code", code)])
        }
        #expect(response.status == status, "\(reason)")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(try jsonObject(response)["error"] == .string(error), "\(reason)")
    }

    enum TokenCase: Sendable {
        case missingVerifier, shortVerifier, otherRedirectURI, missingRedirectURI, refreshGrant, unknownCode, expiredCode, repeatedCode
    }

    @Test("client authentication failures are 401 invalid_client and do not spend the code", arguments: [
        (RunningDevProvider.ClientAuth.basic(id: "gatehouse-dev", secret: "wrong"), true, "wrong secret by Basic"),
        (.post(id: "gatehouse-dev", secret: "wrong"), false, "wrong secret by client_secret_post"),
        (.basic(id: "someone-else", secret: "dev-secret"), true, "unknown client by Basic"),
        (.post(id: "someone-else", secret: "dev-secret"), false, "unknown client by post"),
        (.basic(id: "gatehouse-dev", secret: "dev-secre"), true, "a prefix of the secret"),
        (.none, false, "no authentication at all"),
    ])
    func clientAuthentication(_ auth: RunningDevProvider.ClientAuth, _ basic: Bool, _ reason: String) throws {
        let running = try RunningDevProvider()
        let code = try #require(try running.signIn().first("code"))
        let refused = try running.exchange(code: code, auth: auth)
        #expect(refused.status == 401, "\(reason)")
        #expect(try jsonObject(refused)["error"] == .string("invalid_client"), "\(reason)")
        #expect((refused.header("WWW-Authenticate")?.hasPrefix("Basic")) == (basic ? true : nil), "a Basic challenge exactly when Basic was tried")
        #expect(try running.exchange(code: code).status == 200, "the code survives a request that was not the client's")
    }

    @Test("client_secret_post works, and Basic credentials are form-urlencoded before base64 (RFC 6749 2.3.1)")
    func clientAuthenticationMethods() throws {
        let running = try RunningDevProvider {
            $0.clientID = "client:with spaces"
            $0.clientSecret = "s3cret:+%&é"
        }
        let byPost = try #require(try running.signIn().first("code"))
        #expect(try running.exchange(code: byPost, auth: .post(id: "client:with spaces", secret: "s3cret:+%&é")).status == 200)
        let byBasic = try #require(try running.signIn().first("code"))
        #expect(try running.exchange(code: byBasic, auth: .basic(id: "client:with spaces", secret: "s3cret:+%&é")).status == 200)
    }

    @Test("Basic and client_secret_post together are refused")
    func twoMethods() throws {
        let running = try RunningDevProvider()
        let code = try #require(try running.signIn().first("code"))
        let response = try running.exchange(code: code, extra: [("client_id", "gatehouse-dev"), ("client_secret", "dev-secret")])
        #expect(response.status == 400)
        #expect(try jsonObject(response)["error"] == .string("invalid_request"))
    }

    @Test("userinfo answers with the claims for a valid token, and 401 otherwise")
    func userInfo() throws {
        let running = try RunningDevProvider()
        let accessToken = try #require(try running.tokens()["access_token"]?.stringValue)

        let ok = try running.get("/userinfo", headers: [("Authorization", "Bearer \(accessToken)")])
        #expect(ok.status == 200)
        let claims = try jsonObject(ok)
        #expect(claims["sub"] == .string("alice"))
        #expect(claims["email"] == .string("alice@example.com"))
        #expect(claims["email_verified"] == .bool(true))
        #expect(claims["preferred_username"] == .string("alice"))

        let none = try running.get("/userinfo")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate") == #"Bearer realm="dev-idp""#)

        let wrong = try running.get("/userinfo", headers: [("Authorization", "Bearer not-a-token")])
        #expect(wrong.status == 401)
        #expect(wrong.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)

        let basic = try running.get("/userinfo", headers: [("Authorization", "Basic \(accessToken)")])
        #expect(basic.status == 401, "only the Bearer scheme carries an access token")

        running.clock.advance(by: 3601)
        let expired = try running.get("/userinfo", headers: [("Authorization", "Bearer \(accessToken)")])
        #expect(expired.status == 401, "access tokens expire after an hour")
    }

    @Test("form_post delivers the code in a page with a form to the redirect URI and a Continue button, no script")
    func formPost() throws {
        let running = try RunningDevProvider()
        let response = try running.submitSignIn(request: ["response_mode": "form_post"])
        #expect(response.status == 200)
        let page = response.text
        #expect(page.contains(#"<form method="post" action="http://127.0.0.1:8080/oidc/dev/callback">"#))
        #expect(page.contains("<button type=\"submit\">Continue</button>"))
        #expect(!page.contains("<script"))
        let fields = Dictionary(hiddenFields(in: page), uniquingKeysWith: { first, _ in first })
        #expect(fields["state"] == "state-123")
        #expect(fields["iss"] == running.provider.issuer)
        let code = try #require(fields["code"])
        #expect(try running.exchange(code: code).status == 200)
        let policy = try #require(response.header("Content-Security-Policy"))
        #expect(policy.contains("form-action http://127.0.0.1:8080;"), "the page may post to the relying party: \(policy)")
    }

    @Test("the authorize page has labelled fields, no inline script or style, and a CSP that lets the redirect back through")
    func authorizePage() throws {
        let running = try RunningDevProvider()
        let response = try running.get(running.authorizePath(["login_hint": "carol@example.net"]))
        #expect(response.status == 200)
        let page = response.text
        for field in ["subject", "email", "email_verified", "name", "preferred_username", "fault"] {
            #expect(page.contains("<label for=\"\(field)\">"), "\(field) has a label")
            #expect(page.contains("id=\"\(field)\""), "\(field) has an input")
        }
        for fault in DevFault.allCases {
            #expect(page.contains("<option value=\"\(fault.rawValue)\""), "\(fault.rawValue) can be chosen")
        }
        #expect(page.contains(#"name="subject" required maxlength="255" value="carol@example.net""#), "login_hint fills the subject")
        #expect(page.contains(#"name="email" type="email" value="carol@example.net""#), "an email-like hint fills the email")
        #expect(!page.contains("<script"))
        #expect(!page.contains("style="))
        #expect(!page.contains("<style"))
        #expect(page.contains("never use it in production"))
        let policy = try #require(response.header("Content-Security-Policy"))
        #expect(policy.contains("form-action 'self' http://127.0.0.1:8080;"), "\(policy)")
        #expect(policy.contains("script-src") == false && policy.contains("default-src 'none'"), "no script at all")
    }

    @Test("a form with an unusable identity is shown again with the problem, and no code is issued", arguments: [
        ("", "a@example.com", "an empty subject"),
        (String(repeating: "x", count: 256), "a@example.com", "a subject over 255 bytes"),
        ("alice", "not-an-email", "an email without @"),
        ("ali\u{07}ce", "a@example.com", "a control character"),
    ])
    func badIdentity(_ subject: String, _ email: String, _ reason: String) throws {
        let running = try RunningDevProvider()
        var person = RunningDevProvider.Person()
        person.subject = subject
        person.email = email
        let response = try running.submitSignIn(person)
        #expect(response.status == 400, "\(reason)")
        #expect(response.header("Location") == nil)
        #expect(response.text.contains("class=\"problem\""), "\(reason)")
        #expect(response.text.contains("<form method=\"post\""), "the form comes back")
    }

    @Test("an unknown fault is refused rather than ignored")
    func unknownFault() throws {
        let running = try RunningDevProvider()
        let page = try running.get(running.authorizePath())
        let response = try running.postForm("/authorize", hiddenFields(in: page.text) + [("subject", "alice"), ("fault", "everything")])
        #expect(response.status == 400)
        #expect(response.header("Location") == nil)
    }

    @Test("a tampered hidden field is checked again on POST")
    func tamperedPost() throws {
        let running = try RunningDevProvider()
        let page = try running.get(running.authorizePath())
        let fields = hiddenFields(in: page.text).map { name, value in
            name == "redirect_uri" ? (name, "http://evil.example/cb") : (name, value)
        }
        let response = try running.postForm("/authorize", fields + [("subject", "alice")])
        #expect(response.status == 400)
        #expect(response.header("Location") == nil, "never a redirect to an unregistered URI")
    }

    @Test("end-session returns to a registered origin with state, and otherwise shows a page")
    func endSession() throws {
        let running = try RunningDevProvider()
        let back = try running.get("/end-session?post_logout_redirect_uri=\(HTTPURL.percentEncoded("http://127.0.0.1:8080/signed-out"))&state=s1")
        #expect(back.status == 302)
        #expect(back.header("Location") == "http://127.0.0.1:8080/signed-out?state=s1")
        let foreign = try running.get("/end-session?post_logout_redirect_uri=\(HTTPURL.percentEncoded("http://evil.example/"))")
        #expect(foreign.status == 200)
        #expect(foreign.header("Location") == nil)
        #expect(foreign.text.contains("Signed out"))
        let bare = try running.get("/end-session")
        #expect(bare.status == 200)
    }
}

typealias TestClientResponse = TestSupport.TestClient.Response

func basicHeader(_ id: String, _ secret: String) -> (String, String) {
    ("Authorization", "Basic " + Data("\(HTTPURL.percentEncoded(id)):\(HTTPURL.percentEncoded(secret))".utf8).base64EncodedString())
}
