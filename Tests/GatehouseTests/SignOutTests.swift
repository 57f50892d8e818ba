import Foundation
import Testing
import TestSupport

/// `POST /logout` over real sockets: the session is revoked at once, and a provider session
/// continues to the provider's end_session_endpoint with id_token_hint and a state bound to the
/// browser, then back to the signed-out page, which checks the state.
@Suite(.serialized) struct SignOutTests {
    /// What the signed-out page says only when the browser came back with its own state.
    static let confirmed = "Your session here has ended, and your organisation’s provider has ended its session too."

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
        let state = try #require(query["state"])
        #expect(state.utf8.count == 43, "256 random bits")
        #expect(rig.browser.cookie(named: "gatehouse_signout")?.value == state, "bound to this browser")
        #expect(try rig.me().status == 401, "revoked at once")
        #expect(try rig.count("sessions", where: "id_token IS NOT NULL") == 0, "the ID token is forgotten")
        #expect(try rig.auditEvents().last?.event == "sign_out")

        let back = try rig.browser.get(location)
        #expect(back.location == "\(rig.origin)/signed-out?state=\(state)", "the provider hands the state back")
        let page = try rig.browser.get(try #require(back.location))
        #expect(page.status == 200)
        #expect(page.text.contains("You are signed out"))
        #expect(page.text.contains(Self.confirmed), "confirmed by this browser's own state")
        #expect(rig.browser.cookie(named: "gatehouse_signout") == nil, "a state is good for one return")
    }

    /// The state makes the signed-out page honest: a return this browser did not start (a link
    /// from elsewhere, a second tab, an expired cookie, a provider that drops the state) is told
    /// apart, and changes nothing.
    @Test func aReturnWithAWrongOrMissingStateIsNotConfirmedAndChangesNothing() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        _ = try rig.signIn()
        let answer = try rig.browser.postForm("\(rig.origin)/logout", try signOutForm(rig), headers: [("Origin", rig.origin)])
        let toProvider = try #require(answer.location)
        let state = try #require(BrowserClient.queryItem("state", of: toProvider))

        let otherState = (state.first == "A" ? "B" : "A") + state.dropFirst()  // differs in its first character
        let wrong = try rig.browser.get("\(rig.origin)/signed-out?state=\(otherState)")
        #expect(wrong.status == 400)
        #expect(wrong.text.contains("You are signed out here") && wrong.text.contains("cannot tell"))
        #expect(!wrong.text.contains(Self.confirmed))
        #expect(rig.browser.cookie(named: "gatehouse_signout") == nil, "spent: the right state cannot follow a wrong one")
        #expect(try rig.browser.get("\(rig.origin)/signed-out?state=\(state)").status == 400)

        // Another browser, signed in, follows the right link: it is not its sign-out, and it
        // stays signed in.
        let other = BrowserClient()
        #expect(try other.get(try rig.authorizeAtProvider(browser: other)).status == 303)
        let elsewhere = try other.get("\(rig.origin)/signed-out?state=\(state)")
        #expect(elsewhere.status == 400)
        #expect(try other.get("\(rig.origin)/api/v1/me").status == 200, "nobody is signed in or out by it")

        // A pending sign-out that comes back without a state, or with two.
        _ = try rig.signIn()
        _ = try rig.browser.postForm("\(rig.origin)/logout", try signOutForm(rig), headers: [("Origin", rig.origin)])
        #expect(try rig.browser.get("\(rig.origin)/signed-out").status == 400)
        _ = try rig.signIn()
        let again = try rig.browser.postForm("\(rig.origin)/logout", try signOutForm(rig), headers: [("Origin", rig.origin)])
        let againToProvider = try #require(again.location)
        let fresh = try #require(BrowserClient.queryItem("state", of: againToProvider))
        #expect(try rig.browser.get("\(rig.origin)/signed-out?state=\(fresh)&state=\(fresh)").status == 400)
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
        #expect(rig.browser.cookie(named: "gatehouse_signout") == nil, "no state without a provider to send it to")
        let page = try rig.browser.get("\(rig.origin)/signed-out")
        #expect(page.status == 200 && page.text.contains("You are signed out"))
        #expect(!page.text.contains(Self.confirmed) && !page.text.contains("cannot tell"))
    }
}
