import Foundation
import Testing
import TestSupport

/// Sign-in through the development provider, over real sockets, with every refusal checked:
/// the page says why, the audit trail records it, and no session (no /api/v1/me) results.
@Suite(.serialized) struct SignInFlowTests {
    private func withRig(providerJSON: String = "", _ body: (SignInRig) throws -> Void) throws {
        let rig = try SignInRig(providerJSON: providerJSON)
        defer { rig.stop() }
        try body(rig)
    }

    private func meJSON(_ rig: SignInRig) throws -> [String: Any] {
        let page = try rig.me()
        #expect(page.status == 200, "\(page.text)")
        return try #require(try JSONSerialization.jsonObject(with: Data(page.response.body)) as? [String: Any])
    }

    @Test func aPersonSignsInAndMeDescribesThem() throws {
        try withRig { rig in
            let before = try rig.me()
            #expect(before.status == 401)
            #expect(before.header("Content-Type") == "application/problem+json")

            let answer = try rig.signIn(next: "/account?tab=2")
            #expect(answer.status == 303, "\(answer.text)")
            #expect(answer.header("Location") == "/account?tab=2")
            #expect(rig.browser.cookie(named: "gatehouse_session") != nil)

            let me = try meJSON(rig)
            let user = try #require(me["user"] as? [String: Any])
            #expect(user["username"] as? String == "alice")
            #expect(user["email"] as? String == "alice@example.com")
            #expect(user["email_verified"] as? Bool == true)
            #expect(user["display_name"] as? String == "Alice Example")
            let identities = try #require(me["identities"] as? [[String: Any]])
            #expect(identities.count == 1)
            #expect(identities.first?["provider"] as? String == "dev")
            #expect(identities.first?["issuer"] as? String == rig.provider.issuer)
            #expect(identities.first?["subject"] as? String == "alice-subject")
            let session = try #require(me["session"] as? [String: Any])
            #expect(session["provider"] as? String == "dev")
            #expect(try rig.auditEvents().map(\.event) == ["user.provisioned", "sign_in.success"])
        }
    }

    @Test func theSameIdentitySignsInToTheSameUserAndANewSubjectGetsANewUser() throws {
        try withRig { rig in
            _ = try rig.signIn()
            let firstSession = rig.browser.cookie(named: "gatehouse_session")?.value
            _ = try rig.signIn()
            #expect(rig.browser.cookie(named: "gatehouse_session")?.value != firstSession, "every sign-in rotates the session id")
            #expect(try rig.count("users") == 1)
            #expect(try rig.count("sessions", where: "revoked_at IS NOT NULL") == 1, "the previous session was revoked")

            var bob = SignInRig.Person()
            bob.subject = "bob-subject"
            bob.email = "alice@example.com"  // the same address: never a reason to link here
            _ = try rig.signIn(bob)
            #expect(try rig.count("users") == 2)
            #expect(try rig.count("users", where: "username = 'alice-2'") == 1, "usernames are made unique, never shared")
        }
    }

    @Test(arguments: [
        ("//evil.example/", "a scheme-relative URL would leave our origin"),
        ("https://evil.example/", "an absolute URL would leave our origin"),
        ("/\\evil.example", "browsers read a backslash as a slash"),
    ])
    func anUnsafeNextFallsBackToTheRoot(next: String, reason: String) throws {
        try withRig { rig in
            let answer = try rig.signIn(next: next)
            #expect(answer.status == 303)
            #expect(answer.header("Location") == "/", "\(reason)")
        }
    }

    /// Each deliberate fault of the development provider breaks one ID-token rule.
    @Test(arguments: [
        ("wrong_audience", "aud must contain our client id"),
        ("extra_audience", "an audience we do not trust"),
        ("expired", "exp in the past, beyond the skew"),
        ("issued_in_future", "iat in the future, beyond the skew"),
        ("wrong_issuer", "iss must be the provider's issuer"),
        ("wrong_nonce", "nonce must be the one this flow sent"),
        ("bad_signature", "the signature must verify"),
        ("unknown_kid", "a key the provider never published"),
        ("alg_none", "alg none is never accepted"),
        ("access_token_type", "an access token is not an ID token"),
    ])
    func aFaultyIDTokenSignsNobodyIn(fault: String, reason: String) throws {
        try withRig { rig in
            var person = SignInRig.Person()
            person.fault = fault
            let answer = try rig.signIn(person)
            #expect(answer.status == 400, "\(reason): \(answer.status) \(answer.text)")
            #expect(answer.text.contains("The sign-in could not be verified"), "\(reason)")
            #expect(rig.browser.cookie(named: "gatehouse_session") == nil, "\(reason)")
            #expect(try rig.me().status == 401, "\(reason)")
            #expect(try rig.count("users") == 0, "\(reason)")
            let refusal = try #require(try rig.auditEvents().last)
            #expect(refusal.event == "sign_in.refused")
            #expect(refusal.detail.contains("reason=id_token_rejected"), "\(refusal.detail)")
        }
    }

    @Test func aReplayedCallbackMakesNoSecondSession() throws {
        try withRig { rig in
            let callback = try rig.authorizeAtProvider()
            #expect(try rig.browser.get(callback).status == 303)
            let replay = try rig.browser.get(callback)
            #expect(replay.status == 400)
            #expect(replay.text.contains("already used"))
            #expect(try rig.count("sessions") == 1)
        }
    }

    @Test func aCallbackFromAnotherBrowserIsRefusedAndDoesNotSpendTheFlow() throws {
        try withRig { rig in
            let callback = try rig.authorizeAtProvider()
            let attacker = BrowserClient()
            let stolen = try attacker.get(callback)
            #expect(stolen.status == 400)
            #expect(stolen.text.contains("another browser"))
            #expect(attacker.cookie(named: "gatehouse_session") == nil)
            #expect(try rig.browser.get(callback).status == 303, "the rightful browser can still finish")
        }
    }

    @Test func aCallbackWithoutStateOrWithAForgedOneIsRefused() throws {
        try withRig { rig in
            let callback = try rig.authorizeAtProvider()
            let items = BrowserClient.queryItems(of: callback)
            let withoutState = items.filter { $0.0 != "state" }
            let missing = try rig.browser.get("\(rig.origin)/oidc/dev/callback?\(BrowserClient.formEncode(withoutState))")
            #expect(missing.status == 400)
            let forged = items.map { $0.0 == "state" ? ($0.0, "forged-state-value") : $0 }
            let unknown = try rig.browser.get("\(rig.origin)/oidc/dev/callback?\(BrowserClient.formEncode(forged))")
            #expect(unknown.status == 400)
            #expect(unknown.text.contains("was not started here"))
            #expect(try rig.count("sessions") == 0)
        }
    }

    @Test func aFlowOlderThanTenMinutesIsExpired() throws {
        try withRig { rig in
            let callback = try rig.authorizeAtProvider()
            rig.clock.advance(by: 601)
            let late = try rig.browser.get(callback)
            #expect(late.status == 400)
            #expect(late.text.contains("took too long"))
        }
    }

    /// Anyone can start a sign-in, and each start stores a flow for ten minutes. At most
    /// `database.max_pending_sign_in_flows` are stored: past it a start makes room from the
    /// expired flows, else from the oldest flow of the client holding the most (review findings:
    /// refusing let ten clients keep every person's sign-in at a 503; evicting the oldest of
    /// all let their bursts replace everyone's flows). The table never grows past its capacity,
    /// a flood cuts short its own sign-ins, and a person's sign-in under way finishes.
    @Test func startsPastTheFlowCapacityEvictTheFullestClientsFlowsAndNeverGrowTheTable() throws {
        let rig = try SignInRig(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, databaseExtra: #", "max_pending_sign_in_flows": 3"#)
        defer { rig.stop() }
        let person = [("X-Forwarded-For", "192.0.2.1")]
        let start = try rig.browser.get("\(rig.origin)/oidc/dev/authorize?next=/after", headers: person)
        let underWay = try rig.answerAtProvider(try #require(start.location))
        let flooder = BrowserClient()
        let fromFlooder = [("X-Forwarded-For", "2001:db8:1:2::1")]
        var flooded: [String] = []
        for _ in 0..<6 {
            let started = try flooder.get("\(rig.origin)/oidc/dev/authorize", headers: fromFlooder)
            #expect(started.status == 302)
            flooded.append(try #require(started.location))
        }
        #expect(try rig.count("sign_in_flows") == 3, "the table never grows past its capacity")
        #expect(try rig.count("sign_in_flows", where: "client_block = '192.0.2.1'") == 1, "the flood evicted its own flows")
        #expect(try rig.auditEvents().isEmpty, "a start writes no audit entry")

        let finished = try rig.browser.get(underWay, headers: person)
        #expect(finished.header("Location") == "/after", "the person's sign-in under way finishes: \(finished.text)")
        let cutShort = try flooder.get(try rig.answerAtProvider(flooded[0], browser: flooder), headers: fromFlooder)
        #expect(cutShort.status == 400, "\(cutShort.text)")
        #expect(cutShort.text.contains("cut short"))
    }

    /// Review finding: one client could fill `max_pending_sign_in_flows` alone. Its share is
    /// `max_sign_in_starts_per_client` per flow lifetime, counted per IPv4 address or IPv6 /64
    /// (here, the client a trusted proxy names); a start past it is a 429 and writes nothing.
    @Test func oneClientsStartsPastItsShareAreRefusedAndWriteNothing() throws {
        let rig = try SignInRig(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, databaseExtra: #", "max_sign_in_starts_per_client": 2"#)
        defer { rig.stop() }
        let flooder = BrowserClient()
        let fromFlooder = [("X-Forwarded-For", "2001:db8:1:2::1")]
        for _ in 0..<2 { #expect(try flooder.get("\(rig.origin)/oidc/dev/authorize", headers: fromFlooder).status == 302) }
        let refused = try flooder.get("\(rig.origin)/oidc/dev/authorize", headers: [("X-Forwarded-For", "2001:db8:1:2::99")])
        #expect(refused.status == 429, "another address of the same /64: \(refused.text)")
        #expect(refused.header("Retry-After") == "300")
        #expect(refused.text.contains("Too many sign-ins started"))
        #expect(try rig.count("sign_in_flows") == 2)
        #expect(try rig.auditEvents().isEmpty)

        let other = BrowserClient()
        let start = try other.get("\(rig.origin)/oidc/dev/authorize", headers: [("X-Forwarded-For", "2001:db8:1:3::1")])
        #expect(start.status == 302, "the next /64 is another client")
        rig.clock.advance(by: 300)
        #expect(try flooder.get("\(rig.origin)/oidc/dev/authorize", headers: fromFlooder).status == 302, "one start came back")
    }

    /// Review finding: made-up callbacks each took the provider's executor and two writes, with
    /// no bound per client, so one client could fill that queue and hold the writer. Refused
    /// callbacks have a share per client as starts do, and a client with none left is refused
    /// on the event loop, writing nothing.
    @Test func madeUpCallbacksPastTheClientsShareAreRefusedWithoutTouchingTheDatabase() throws {
        let rig = try SignInRig(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, databaseExtra: #", "max_sign_in_starts_per_client": 2"#)
        defer { rig.stop() }
        let stranger = BrowserClient()
        let fromStranger = [("X-Forwarded-For", "192.0.2.66")]
        for _ in 0..<2 {
            #expect(try stranger.get("\(rig.origin)/oidc/dev/callback?code=c&state=forged", headers: fromStranger).status == 400)
        }
        let spent = try stranger.get("\(rig.origin)/oidc/dev/callback?code=c&state=forged", headers: fromStranger)
        #expect(spent.status == 429 && spent.header("Retry-After") == "300", "\(spent.text)")
        #expect(spent.text.contains("Too many sign-ins failed"), "not the page of a start past its share")
        let posted = try stranger.postForm("\(rig.origin)/oidc/dev/callback", [("code", "c"), ("state", "forged")], headers: fromStranger)
        #expect(posted.status == 429)
        #expect(try rig.auditEvents().map(\.event) == ["sign_in.refused", "sign_in.refused"])
        #expect(try stranger.get("\(rig.origin)/oidc/dev/authorize", headers: fromStranger).status == 302, "starts have a share of their own")

        // Another client (the rig's browser, without a forwarded address) is untouched, and a
        // sign-in that took its last start still finishes: callbacks that succeed take nothing.
        #expect(try rig.signIn().status == 303)
        #expect(try rig.signIn().status == 303)
    }

    /// Anyone can make a callback fail, and each refusal is audited. Past its share of
    /// `database.max_unauthenticated_audit_entries` (12 among seven kinds: two) each one removes
    /// the oldest refused callback, and the person's sign-in entries stay.
    @Test func refusedCallbacksPastTheirCapReplaceOlderAttemptsOnly() throws {
        let rig = try SignInRig(databaseExtra: #", "max_unauthenticated_audit_entries": 12"#)
        defer { rig.stop() }
        _ = try rig.signIn()
        let stranger = BrowserClient()
        #expect(try stranger.get("\(rig.origin)/oidc/dev/callback").status == 400)
        for _ in 0..<2 { #expect(try stranger.get("\(rig.origin)/oidc/dev/callback?code=c&state=forged").status == 400) }
        let trail = try rig.auditEvents()
        #expect(trail.map(\.event) == ["user.provisioned", "sign_in.success", "sign_in.refused", "sign_in.refused"])
        #expect(trail.suffix(2).allSatisfy { $0.detail.contains("reason=flow_unknown") }, "the oldest attempt went: \(trail)")
    }

    /// RFC 9207: the development provider advertises the `iss` parameter, so it is required.
    @Test func theIssParameterIsRequiredAndMustMatch() throws {
        try withRig { rig in
            let withoutIss = BrowserClient.queryItems(of: try rig.authorizeAtProvider()).filter { $0.0 != "iss" }
            let missing = try rig.browser.get("\(rig.origin)/oidc/dev/callback?\(BrowserClient.formEncode(withoutIss))")
            #expect(missing.status == 400)
            let mixedUp = BrowserClient.queryItems(of: try rig.authorizeAtProvider()).map { $0.0 == "iss" ? ($0.0, "https://attacker.example") : $0 }
            let wrong = try rig.browser.get("\(rig.origin)/oidc/dev/callback?\(BrowserClient.formEncode(mixedUp))")
            #expect(wrong.status == 400)
            #expect(try rig.auditEvents().filter { $0.detail.contains("reason=issuer_mismatch") }.count == 2)
        }
    }

    @Test func anErrorFromTheProviderIsShownAndRecorded() throws {
        try withRig { rig in
            let items = BrowserClient.queryItems(of: try rig.authorizeAtProvider())
            let answer = items.filter { $0.0 == "state" || $0.0 == "iss" } + [("error", "access_denied"), ("error_description", "<b>No</b> thanks")]
            let page = try rig.browser.get("\(rig.origin)/oidc/dev/callback?\(BrowserClient.formEncode(answer))")
            #expect(page.status == 400)
            #expect(page.text.contains("access_denied"))
            #expect(page.text.contains("&lt;b&gt;No&lt;/b&gt; thanks"), "the provider's words are escaped")
            #expect(try rig.auditEvents().last?.detail.contains("reason=provider_error") == true)
        }
    }

    /// Review finding: the provider's `error` may hold `;` and `=` (RFC 6749 allows them), and
    /// was written into the audit detail as it came, so it could add fields of its choosing.
    @Test func aProvidersErrorCannotAddAuditFields() throws {
        try withRig { rig in
            let items = BrowserClient.queryItems(of: try rig.authorizeAtProvider())
            let answer = items.filter { $0.0 == "state" || $0.0 == "iss" } + [("error", "access_denied; reason=ok; provider=other")]
            #expect(try rig.browser.get("\(rig.origin)/oidc/dev/callback?\(BrowserClient.formEncode(answer))").status == 400)
            let detail = try #require(try rig.auditEvents().last?.detail)
            #expect(detail.components(separatedBy: "reason=").count == 2, "\(detail)")
            #expect(detail.components(separatedBy: "provider=").count == 2, "\(detail)")
            #expect(detail.hasSuffix("error=access_denied%3B reason%3Dok%3B provider%3Dother"), "\(detail)")
        }
    }

    @Test func aTokenEndpointRefusalIsAPageNotA500() throws {
        let rig = try SignInRig(gatehouseClientSecret: "not-the-secret-the-provider-knows")
        defer { rig.stop() }
        let answer = try rig.signIn()
        #expect(answer.status == 502)
        #expect(answer.text.contains("refused to finish"))
        #expect(try rig.auditEvents().last?.detail.contains("reason=token_exchange_failed") == true)
        #expect(try rig.me().status == 401)
    }

    /// The user, the link decision, the session and the success entry are one commit: when the
    /// session cannot be stored (here a trigger refuses it), no user is left behind without it.
    @Test func aSessionThatCannotBeStoredLeavesNoUserBehind() throws {
        try withRig { rig in
            try rig.gatehouse.database.write { connection in
                try connection.execute(
                    "CREATE TRIGGER refuse_sessions BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            }
            let refused = try rig.signIn()
            #expect(refused.status == 503)
            #expect(refused.text.contains("Something went wrong on our side"), "Gatehouse's own failure, not the provider's")
            #expect(try rig.count("users") == 0)
            #expect(try rig.count("sessions") == 0)
            #expect(try rig.auditEvents().map(\.event) == ["sign_in.refused"])
            #expect(try rig.me().status == 401)

            try rig.gatehouse.database.write { connection in try connection.execute("DROP TRIGGER refuse_sessions") }
            #expect(try rig.signIn().status == 303)
            #expect(try rig.count("users") == 1)
            #expect(try rig.auditEvents().map(\.event) == ["sign_in.refused", "user.provisioned", "sign_in.success"])
        }
    }

    @Test func unknownProviderAndUnreachableProviderArePages() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        let unknown = try rig.browser.get("\(rig.origin)/oidc/nosuch/authorize")
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("Unknown sign-in provider"))
        rig.provider.shutdown()
        let unreachable = try rig.browser.get("\(rig.origin)/oidc/dev/authorize")
        #expect(unreachable.status == 502)
        #expect(unreachable.text.contains("cannot be reached"))
    }

    @Test func userinfoAboutAnotherSubjectIsDiscardedAndRecorded() throws {
        try withRig { rig in
            var person = SignInRig.Person()
            person.fault = "userinfo_wrong_subject"
            let answer = try rig.signIn(person)
            #expect(answer.status == 303, "the ID token itself is good")
            #expect(try rig.auditEvents().contains { $0.event == "sign_in.userinfo_discarded" && $0.detail.contains("userinfoSubjectMismatch") })
        }
    }

    @Test func clientSecretPostAuthenticatesAtTheTokenEndpoint() throws {
        try withRig(providerJSON: #""token_endpoint_auth_method": "client_secret_post""#) { (rig) throws in
            let answer = try rig.signIn()
            #expect(answer.status == 303, "\(answer.text)")
            #expect(try rig.me().status == 200)
        }
    }

    /// Walks a form_post sign-in up to the provider's auto-submitted form; returns its action and
    /// fields (what the browser would POST cross-site, without its SameSite=Lax cookies).
    private func formPostAnswer(_ rig: SignInRig, start: String, subject: String = "poster") throws -> HTMLForm {
        let started = try rig.browser.get(start)
        let toProvider = try #require(started.location)
        #expect(BrowserClient.queryItem("response_mode", of: toProvider) == "form_post")
        let page = try rig.browser.get(toProvider)
        var form = try #require(HTMLForm.all(in: page.text).first { $0.method == "POST" })
        form.set("subject", subject)
        let relay = try rig.browser.postForm(BrowserClient.resolve(form.action, against: toProvider), form.fields)
        #expect(relay.status == 200)
        let autoForm = try #require(HTMLForm.all(in: relay.text).first)
        #expect(autoForm.action.hasSuffix("/oidc/dev/callback"))
        return autoForm
    }

    /// Issue 11 section 5: the provider's POST is cross-site, so it carries none of the browser's
    /// SameSite=Lax cookies. It is answered with a 303 to a same-origin GET with a single-use
    /// reference, where the cookies arrive and the flow finishes.
    @Test func formPostContinuesAsASameOriginGetWithTheCookies() throws {
        try withRig(providerJSON: #""response_mode": "form_post""#) { rig in
            let autoForm = try formPostAnswer(rig, start: "\(rig.origin)/oidc/dev/authorize")
            let crossSite = BrowserClient()  // the POST as the browser sends it cross-site: no cookies
            let posted = try crossSite.postForm(autoForm.action, autoForm.fields)
            #expect(posted.status == 303, "\(posted.text)")
            #expect(posted.header("Cache-Control") == "no-store")
            let continuation = try #require(posted.location)
            #expect(continuation.hasPrefix("\(rig.origin)/oidc/dev/callback?continue="))
            #expect(!continuation.contains("code="), "the code never sits in a URL")
            #expect(crossSite.cookie(named: "gatehouse_session") == nil)

            let finished = try rig.browser.get(continuation)
            #expect(finished.status == 303, "\(finished.text)")
            #expect(try rig.me().status == 200)
            let replayed = try rig.browser.get(continuation)
            #expect(replayed.status == 400, "the reference is single-use")
            #expect(replayed.text.contains("already used"))
        }
    }

    @Test func aFormPostContinuationOnlyFinishesInTheBrowserThatStartedIt() throws {
        try withRig(providerJSON: #""response_mode": "form_post""#) { rig in
            let autoForm = try formPostAnswer(rig, start: "\(rig.origin)/oidc/dev/authorize")
            let posted = try BrowserClient().postForm(autoForm.action, autoForm.fields)
            let continuation = try #require(posted.location)
            let elsewhere = try BrowserClient().get(continuation)
            #expect(elsewhere.status == 400)
            #expect(elsewhere.text.contains("another browser"))
            #expect(try rig.browser.get(continuation).status == 303, "the rightful browser still finishes it")
        }
    }

    @Test func aPostedResponseForAStateNobodyStartedWritesNothing() throws {
        try withRig(providerJSON: #""response_mode": "form_post""#) { rig in
            let before = try rig.count("sign_in_flows", where: "posted_response IS NOT NULL")
            let forged = try BrowserClient().postForm("\(rig.origin)/oidc/dev/callback", [("code", "x"), ("state", "forged-state")])
            #expect(forged.status == 400)
            #expect(forged.location == nil)
            #expect(try rig.count("sign_in_flows", where: "posted_response IS NOT NULL") == before)
        }
    }

    /// Anyone can post a response to a flow they started; beyond what a provider sends (8 KiB,
    /// encoded) it is refused and nothing is kept beside the flow.
    @Test func aPostedResponseLongerThanAnyProviderSendsIsNotKept() throws {
        try withRig(providerJSON: #""response_mode": "form_post""#) { rig in
            let autoForm = try formPostAnswer(rig, start: "\(rig.origin)/oidc/dev/authorize")
            let state = try #require(autoForm.value("state"))
            // 2,000 two-byte characters: within the 4,096 bytes a parameter may have, and three
            // times that once percent-encoded.
            let padded = [("code", String(repeating: "é", count: 2000)), ("state", state)]
            let posted = try BrowserClient().postForm(autoForm.action, padded)
            #expect(posted.status == 400, "\(posted.text)")
            #expect(try rig.count("sign_in_flows", where: "posted_response IS NOT NULL") == 0)
            let real = try BrowserClient().postForm(autoForm.action, autoForm.fields)
            #expect(real.status == 303, "the flow is still unspent: \(real.text)")
        }
    }

    /// The provider rotates its signing key; Gatehouse's cached key set lacks the new kid and
    /// fetches the set again, once, then signs the person in without a restart.
    @Test func keyRotationAtTheProviderNeedsNoRestart() throws {
        try withRig { rig in
            #expect(try rig.signIn().status == 303)
            try rig.provider.rotateKeys()
            rig.clock.advance(by: 61)  // past the minimum refetch interval (60 s by default)
            #expect(try rig.signIn().status == 303)
        }
    }

    /// Unknown kids cannot make Gatehouse fetch the key set more than once per interval.
    @Test func unknownKidsDoNotHammerTheProvider() throws {
        try withRig { rig in
            #expect(try rig.signIn().status == 303)
            rig.clock.advance(by: 61)
            var person = SignInRig.Person()
            person.fault = "unknown_kid"
            #expect(try rig.signIn(person).status == 400)  // this one may refetch
            try rig.provider.rotateKeys()
            // A genuinely rotated key within the interval: the refetch budget is spent, so it is
            // refused for now, and accepted once the interval has passed.
            #expect(try rig.signIn().status == 400)
            rig.clock.advance(by: 61)
            #expect(try rig.signIn().status == 303)
        }
    }
}
