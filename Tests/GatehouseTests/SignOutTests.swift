import Foundation
import Testing
import TestSupport

/// `POST /logout` over real sockets: the session is revoked at once, and a provider session
/// continues to the provider's end_session_endpoint with id_token_hint, then back to the
/// signed-out page.
@Suite(.serialized) struct SignOutTests {
    private func signOutForm(_ rig: SignInRig) throws -> [(String, String)] {
        let page = try rig.browser.get("\(rig.origin)/account")
        return try #require(HTMLForm.all(in: page.text).first { $0.action == "/logout" }, "no sign-out form").fields
    }

    @Test func signingOutEndsTheSessionHereAndAtTheProvider() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        _ = try rig.signIn()
        #expect(try rig.count("sessions", where: "id_token IS NOT NULL") == 1, "kept for the end-session request")
        let fields = try signOutForm(rig)
        let answer = try rig.browser.postForm("\(rig.origin)/logout", fields, headers: [("Origin", rig.origin)])
        #expect(answer.status == 303)
        let location = try #require(answer.location)
        let endSession = try #require(URLComponents(string: location))
        #expect(location.hasPrefix(rig.provider.issuer + "/end-session?"))
        let query = Dictionary(uniqueKeysWithValues: (endSession.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["post_logout_redirect_uri"] == "\(rig.origin)/signed-out")
        #expect(query["client_id"] == "gatehouse-dev")
        #expect(query["id_token_hint"]?.split(separator: ".").count == 3, "the ID token the session signed in with")
        #expect(try rig.me().status == 401, "revoked at once")
        #expect(try rig.count("sessions", where: "id_token IS NOT NULL") == 0, "the ID token is forgotten")
        #expect(try rig.auditEvents().last?.event == "sign_out")

        let back = try rig.browser.get(location)
        #expect(back.location == "\(rig.origin)/signed-out")
        let page = try rig.browser.get(try #require(back.location))
        #expect(page.status == 200)
        #expect(page.text.contains("You are signed out"))
    }

    @Test func signOutNeedsTheFormsToken() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        _ = try rig.signIn()
        let forged = try rig.browser.postForm("\(rig.origin)/logout", [("csrf_token", "x")], headers: [("Origin", rig.origin)])
        #expect(forged.status == 403)
        #expect(try rig.me().status == 200, "a forged sign-out changes nothing")
    }

    @Test func withoutAProviderSessionSignOutEndsAtTheSignedOutPage() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        _ = try rig.browser.get("\(rig.origin)/login")
        let answer = try rig.browser.postForm("\(rig.origin)/logout", [], headers: [("Origin", rig.origin)])
        #expect(answer.status == 303, "the sign-in page's cookie is no session: there is nothing to sign out")
        #expect(answer.header("Location") == "/signed-out")
        rig.browser.clearCookies()
        let noSession = try rig.browser.postForm("\(rig.origin)/logout", [], headers: [("Origin", rig.origin)])
        #expect(noSession.status == 303)
        #expect(noSession.header("Location") == "/signed-out", "nothing to end elsewhere")
    }
}
