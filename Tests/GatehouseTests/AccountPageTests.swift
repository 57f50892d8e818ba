import Foundation
import Testing
import Store
@testable import Gatehouse
import TestSupport

/// The account page over real sockets: linking a second provider through the development
/// provider, the recent-sign-in rule, never moving an identity between users, and unlinking
/// with the last-method guard.
@Suite(.serialized) struct AccountPageTests {
    /// The development provider configured twice, as "dev" and "work", so there is a second
    /// provider to link; `multiple_identities` allowed so one user may hold several.
    private func withRig(_ body: (SignInRig) throws -> Void) throws {
        let rig = try SignInRig(providerJSON: #""multiple_identities": "allow""#, alsoAs: ["work"])
        defer { rig.stop() }
        try body(rig)
    }

    private func accountPage(_ rig: SignInRig) throws -> BrowserClient.Page {
        try rig.browser.get("\(rig.origin)/account")
    }

    /// Posts one of the account page's forms, as the browser would.
    private func submit(_ rig: SignInRig, formWithAction action: String) throws -> BrowserClient.Page {
        let page = try accountPage(rig)
        let form = try #require(HTMLForm.all(in: page.text).first { $0.action == action }, "no form for \(action)")
        return try rig.browser.postForm("\(rig.origin)\(action)", form.fields, headers: [("Origin", rig.origin)])
    }

    private func linkWork(_ rig: SignInRig, as person: SignInRig.Person) throws -> BrowserClient.Page {
        let start = try submit(rig, formWithAction: "/account/link/work")
        #expect(start.status == 302, "\(start.text)")
        let callback = try rig.answerAtProvider(try #require(start.location), person)
        return try rig.browser.get(callback)
    }

    /// A link starts through the provider's executor, not on the loop: the flows' capacity
    /// holds there too. Here the sign-in's own flow (kept until it expires) fills it, and the
    /// link's flow takes its place.
    @Test func aLinkStartAtTheFlowCapacityTakesTheOldestFlowsPlace() throws {
        let rig = try SignInRig(
            providerJSON: #""multiple_identities": "allow""#, alsoAs: ["work"], databaseExtra: #", "max_pending_sign_in_flows": 1"#
        )
        defer { rig.stop() }
        _ = try rig.signIn()
        let audited = try rig.auditEvents().count
        let start = try submit(rig, formWithAction: "/account/link/work")
        #expect(start.status == 302, "\(start.text)")
        #expect(try rig.count("sign_in_flows") == 1)
        #expect(try rig.count("sign_in_flows", where: "intent = 'link'") == 1)
        #expect(try rig.auditEvents().count == audited)
    }

    @Test func signedOutVisitorsAreSentToSignIn() throws {
        try withRig { rig in
            let page = try accountPage(rig)
            #expect(page.status == 303)
            #expect(page.header("Location") == "/login?next=%2Faccount")
        }
    }

    @Test func theAccountPageShowsTheUserAndTheirIdentities() throws {
        try withRig { rig in
            _ = try rig.signIn()
            let page = try accountPage(rig)
            #expect(page.status == 200)
            #expect(page.text.contains("Alice Example"))
            #expect(page.text.contains("alice@example.com"))
            #expect(page.text.contains("Development"))
            #expect(page.text.contains("when the account was created"))
            #expect(!page.text.contains("Unlink Development"), "the only way to sign in offers no unlink button")
            #expect(page.text.contains("Link work"))
            // Browsers apply form-action to the redirect after a post: linking and sign-out end at the provider.
            #expect(page.header("Content-Security-Policy")?.contains("form-action 'self' \(rig.provider.issuer);") == true)
        }
    }

    @Test func anotherProviderIsLinkedFromTheAccountPage() throws {
        try withRig { rig in
            _ = try rig.signIn()
            var atWork = SignInRig.Person()
            atWork.subject = "alice-at-work"
            atWork.email = "alice@work.example"
            let done = try linkWork(rig, as: atWork)
            #expect(done.status == 303, "\(done.text)")
            #expect(done.header("Location") == "/account?notice=linked")
            #expect(try rig.count("identities", where: "provider = 'work' AND link_method = 'account_page' AND user_id = 1") == 1)
            #expect(try rig.count("users") == 1)
            let page = try rig.browser.get("\(rig.origin)/account?notice=linked")
            #expect(page.text.contains("was linked to your account"))
            #expect(page.text.contains("alice@work.example"))
            #expect(try rig.auditEvents().contains { $0.event == "identity.linked" && $0.detail.contains("method=account_page") })
        }
    }

    @Test func linkingNeedsASignInFromTheLastTenMinutes() throws {
        try withRig { rig in
            _ = try rig.signIn()
            rig.clock.advance(by: 11 * 60)
            let refused = try submit(rig, formWithAction: "/account/link/work")
            #expect(refused.status == 403)
            #expect(refused.text.contains("Sign in again to link an account"))
            #expect(try rig.count("sign_in_flows", where: "intent = 'link'") == 0)
        }
    }

    /// Review finding: the rule read the session's start, and a provider with single sign-on
    /// starts a session without asking anything. On a shared computer, eleven minutes after the
    /// person left, "sign in again" at their still-open provider session met the rule, and a
    /// stranger's account could be linked to theirs. The rule now reads the provider's
    /// `auth_time`; the page's "Sign in again" asks the provider for a fresh sign-in.
    @Test func aSignInTheProviderRememberedIsNotRecent() throws {
        let clock = TestClock()
        let signedInAtTheProvider = clock.now
        let rig = try SignInRig(
            providerJSON: #""multiple_identities": "allow""#, clock: clock, alsoAs: ["work"],
            configureProvider: { $0.authTimeReport = .remembered(at: signedInAtTheProvider) }
        )
        defer { rig.stop() }
        _ = try rig.signIn()
        clock.advance(by: 11 * 60)
        // A new Gatehouse session, answered from the provider's eleven-minute-old sign-in.
        #expect(try rig.signIn().header("Location") == "/")
        let refused = try submit(rig, formWithAction: "/account/link/work")
        #expect(refused.status == 403, "\(refused.text)")
        #expect(refused.text.contains("Sign in again to link an account"))
        #expect(try rig.count("sign_in_flows", where: "intent = 'link'") == 0)

        // "Sign in again" goes back through the session's provider, asking for a fresh sign-in.
        let again = try #require(refused.text.firstMatch(of: /class="button" href="([^"]+)"/)).1
            .replacingOccurrences(of: "&amp;", with: "&")
        #expect(again == "/oidc/dev/authorize?next=%2Faccount&reauthenticate=1")
        let start = try rig.browser.get("\(rig.origin)\(again)")
        let toProvider = try #require(start.location)
        #expect(toProvider.contains("prompt=login") && toProvider.contains("max_age=600"), "\(toProvider)")
        let signedInAgain = try rig.browser.get(try rig.answerAtProvider(toProvider))
        #expect(signedInAgain.header("Location") == "/account")
        var atWork = SignInRig.Person()
        atWork.subject = "alice-at-work"
        atWork.email = "alice@work.example"
        #expect(try linkWork(rig, as: atWork).header("Location") == "/account?notice=linked")
    }

    /// Review finding: a provider's `auth_time` is any Int64 a token carries; one far in the past
    /// made the recent-sign-in check overflow, and the link form stopped the whole server.
    @Test func anAuthTimeFarInThePastIsNotRecentAndStopsNothing() throws {
        let rig = try SignInRig(
            providerJSON: #""multiple_identities": "allow""#, alsoAs: ["work"],
            configureProvider: { $0.authTimeReport = .remembered(at: Int64.min + 1) }
        )
        defer { rig.stop() }
        _ = try rig.signIn()
        #expect(try rig.count("sessions", where: "authenticated_at = \(Int64.min + 1)") == 1, "kept as the provider said")
        let refused = try submit(rig, formWithAction: "/account/link/work")
        #expect(refused.status == 403, "\(refused.text)")
        #expect(refused.text.contains("Sign in again to link an account"))
        #expect(try rig.browser.get("\(rig.origin)/account").status == 200, "the server still answers")
    }

    /// Dates come from the database; one an older build or a hand edit left far in the future is
    /// still written out (review finding: the year overflowed Int32 and stopped the server).
    @Test func aDateFarInTheFutureIsWrittenOut() {
        #expect(DisplayTime.format(0) == "1970-01-01 00:00 UTC")
        #expect(DisplayTime.format(67_767_976_233_532_800).hasPrefix("2147483648-"))
        #expect(DisplayTime.format(Int64.max) == "unknown")
        #expect(!AccountPage.isRecent(Int64.min, now: 1_800_000_000))
        #expect(!AccountPage.isRecent(nil, now: 1_800_000_000))
        #expect(AccountPage.isRecent(1_800_000_000 - 600, now: 1_800_000_000))
        #expect(!AccountPage.isRecent(1_800_000_000 - 601, now: 1_800_000_000))
    }

    /// A provider that never says when the person signed in (GitHub's OAuth, Entra ID unless
    /// asked) gives sessions that are never recent: their sign-in may have asked nothing.
    @Test func aProviderThatDoesNotSayWhenGivesNoRecentSignIn() throws {
        let rig = try SignInRig(
            providerJSON: #""multiple_identities": "allow""#, alsoAs: ["work"], configureProvider: { $0.authTimeReport = .none }
        )
        defer { rig.stop() }
        _ = try rig.signIn()
        let refused = try submit(rig, formWithAction: "/account/link/work")
        #expect(refused.status == 403, "\(refused.text)")
        #expect(try rig.count("sessions", where: "authenticated_at IS NULL AND revoked_at IS NULL") == 1)
    }

    /// Review finding: a link to a slug that names no provider has no executor and runs on the
    /// event loop, where the session check could wait for the database writer to touch the
    /// session. It is answered first, writing nothing.
    @Test func aLinkToNoProviderIsAnsweredWithoutTouchingTheSession() throws {
        try withRig { rig in
            _ = try rig.signIn()
            let form = try #require(HTMLForm.all(in: try accountPage(rig).text).first { $0.action == "/account/link/work" })
            rig.clock.advance(by: 3_600)  // the session's touch is due
            let seen = try rig.count("sessions", where: "last_seen_at = \(rig.clock.now)")
            let unknown = try rig.browser.postForm("\(rig.origin)/account/link/zzz", form.fields, headers: [("Origin", rig.origin)])
            #expect(unknown.status == 404, "\(unknown.text)")
            #expect(try rig.count("sessions", where: "last_seen_at = \(rig.clock.now)") == seen, "nothing was written")
        }
    }

    /// Review finding: the account page and sign-out fetched a provider's discovery document
    /// when its refresh was due, on the store executor's four threads: a provider that hangs
    /// then held the pages of everyone. They use the last document fetched, and fetch nothing.
    @Test func theAccountPageAndSignOutNeverWaitOnAProvider() throws {
        let rig = try SignInRig(providerJSON: #""discovery_refresh_seconds": 60"#)
        defer { rig.stop() }
        do {
            _ = try rig.signIn()
            func lastFetches() -> [Int64?] {
                rig.gatehouse.app.providers.values.map { $0.status().discovery.lastSuccessAt }.sorted { ($0 ?? 0) < ($1 ?? 0) }
            }
            let before = lastFetches()
            rig.clock.advance(by: 120)  // the provider's refresh is due
            let page = try accountPage(rig)
            #expect(page.status == 200)
            #expect(page.header("Content-Security-Policy")?.contains("form-action 'self' \(rig.provider.issuer);") == true)
            let form = try #require(HTMLForm.all(in: page.text).first { $0.action == "/logout" })
            let signedOut = try rig.browser.postForm("\(rig.origin)/logout", form.fields, headers: [("Origin", rig.origin)])
            #expect(signedOut.status == 303)
            #expect(signedOut.location?.hasPrefix(rig.provider.issuer) == true, "the provider's end-session endpoint, as last fetched")
            #expect(lastFetches() == before, "no discovery document was fetched")
        }
    }

    @Test func anIdentityOfAnotherUserIsNeverMoved() throws {
        try withRig { rig in
            var bob = SignInRig.Person()
            bob.subject = "bob"
            bob.email = "bob@example.com"
            bob.preferredUsername = "bob"
            _ = try rig.signIn(bob)
            rig.browser.clearCookies()
            _ = try rig.signIn()
            // Alice, signed in, asks to link "dev" again and answers at the provider as Bob.
            let page = try accountPage(rig)
            #expect(page.status == 200)
            let start = try rig.browser.postForm(
                "\(rig.origin)/account/link/dev",
                try #require(HTMLForm.all(in: page.text).first { $0.action == "/account/link/work" }).fields,
                headers: [("Origin", rig.origin)]
            )
            let callback = try rig.answerAtProvider(try #require(start.location), bob)
            let refused = try rig.browser.get(callback)
            #expect(refused.status == 403)
            #expect(refused.text.contains("already linked to another user"))
            #expect(try rig.count("identities", where: "subject = 'bob' AND user_id = 1") == 1, "Bob keeps his identity")
            #expect(try rig.count("identities", where: "user_id = 2") == 1)
        }
    }

    /// Review finding: with local passwords off, a password hash left from before still counted
    /// as a way in, and the person's only identity could be unlinked: a one-click lockout. An
    /// identity of a provider no longer configured is no way in either.
    @Test func aPasswordThatCannotSignInIsNoWayIn() throws {
        let rig = try SignInRig(gatehouseExtra: #", "login": {"local_passwords": false}"#)
        defer { rig.stop() }
        _ = try rig.signIn()
        try rig.gatehouse.database.write { connection in
            try UserRepository(connection).setPasswordHash(userID: 1, hash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA", now: rig.clock.now)
            // An identity of a provider since removed from the configuration.
            try connection.execute(
                "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (1, 'gone', 'https://gone.example', 'g', 'admin', 0)"
            )
        }
        let page = try accountPage(rig)
        #expect(!page.text.contains("/account/identities/1/unlink"), "the only identity that can sign in offers no unlink")
        #expect(page.text.contains("/account/identities/2/unlink"), "the removed provider's identity may go")
        let refused = try rig.browser.postForm(
            "\(rig.origin)/account/identities/1/unlink",
            try #require(HTMLForm.all(in: page.text).first { $0.action == "/account/identities/2/unlink" }).fields,
            headers: [("Origin", rig.origin)]
        )
        #expect(refused.status == 409, "\(refused.text)")
        #expect(try rig.count("identities", where: "id = 1") == 1)
    }

    @Test func theLastWayToSignInCannotBeUnlinkedButAnotherCan() throws {
        try withRig { rig in
            _ = try rig.signIn()
            let forged = try rig.browser.postForm(
                "\(rig.origin)/account/identities/1/unlink", [("csrf_token", "wrong")], headers: [("Origin", rig.origin)]
            )
            #expect(forged.status == 403)
            let alone = try rig.browser.postForm(
                "\(rig.origin)/account/identities/1/unlink",
                try #require(HTMLForm.all(in: try accountPage(rig).text).first { $0.action == "/account/link/work" }).fields,
                headers: [("Origin", rig.origin)]
            )
            #expect(alone.status == 409)
            #expect(alone.text.contains("only way to sign in"))
            #expect(try rig.count("identities") == 1)

            var atWork = SignInRig.Person()
            atWork.subject = "alice-at-work"
            _ = try linkWork(rig, as: atWork)
            let unlinked = try submit(rig, formWithAction: "/account/identities/2/unlink")
            #expect(unlinked.status == 303, "\(unlinked.text)")
            #expect(unlinked.header("Location") == "/account?notice=unlinked")
            #expect(try accountPage(rig).status == 200, "another identity than this browser's: still signed in")
            #expect(try rig.count("identities") == 1)
            #expect(try rig.auditEvents().contains { $0.event == "identity.unlinked" })

            // Review finding: unlinking the identity this browser signed in with ended its session
            // (as it must), and the person was sent to an account page that asked them to sign in.
            _ = try linkWork(rig, as: atWork)
            let signedOut = try submit(rig, formWithAction: "/account/identities/1/unlink")
            #expect(signedOut.status == 200 && signedOut.text.contains("You were signed out"), "\(signedOut.text)")
            #expect(try accountPage(rig).status != 200)
            #expect(try rig.count("identities", where: "provider = 'work'") == 1)
        }
    }
}
