import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport

/// Account linking through the real callback route, the development provider and a real SQLite
/// file: the engine's decisions as a person meets them, and what they leave in the database.
@Suite(.serialized) struct AccountLinkingEndToEndTests {
    private func withRig(providerJSON: String = "", _ body: (SignInRig) throws -> Void) throws {
        let rig = try SignInRig(providerJSON: providerJSON)
        defer { rig.stop() }
        try body(rig)
    }

    private func decisions(_ rig: SignInRig) throws -> [(decision: String, reason: String?, rule: String, requestID: String?)] {
        try rig.gatehouse.database.read { connection in
            try connection.query("SELECT decision, reason, rule, request_id FROM link_decisions ORDER BY id").map { row in
                (try row.string("decision"), try row.optionalString("reason"), try row.string("rule"), try row.optionalString("request_id"))
            }
        }
    }

    /// Issue 4 rule 6: twenty browsers finish a first sign-in of the same new identity at once.
    @Test func twentyConcurrentFirstSignInsMakeOneUserAndOneIdentity() throws {
        try withRig { rig in
            let browsers = (0..<20).map { _ in BrowserClient() }
            let callbacks = try browsers.map { try rig.authorizeAtProvider(browser: $0) }
            let statuses = Mutex<[Int]>([])
            let work = ConcurrentCallbacks(browsers: browsers, callbacks: callbacks)
            DispatchQueue.concurrentPerform(iterations: browsers.count) { index in
                let status = (try? work.browsers[index].get(work.callbacks[index]).status) ?? -1
                statuses.withLock { $0.append(status) }
            }
            #expect(statuses.withLock { $0 } == Array(repeating: 303, count: 20), "every sign-in succeeds: no 500, no refusal")
            #expect(try rig.count("users") == 1)
            #expect(try rig.count("identities") == 1)
            let made = try decisions(rig)
            #expect(made.filter { $0.decision == "create" }.count == 1)
            #expect(made.filter { $0.decision == "sign_in" }.count == 19, "the others signed in to the identity the first one made")
            #expect(try rig.count("sessions", where: "user_id IS NOT NULL") == 20)
        }
    }

    /// Seed 000 with `multiple_identities: "allow"`: a broker (CILogon fronting many IdPs) presents
    /// a second subject with the same verified email; it becomes a further identity of the user.
    @Test func seed000BrokerSecondSubjectIsLinkedWhenAllowed() throws {
        try withRig(providerJSON: #""user_matching_mode": "email_link", "multiple_identities": "allow""#) { rig in
            var viaUniversity = SignInRig.Person()
            viaUniversity.subject = "http://cilogon.org/serverA/users/1"
            #expect(try rig.signIn(viaUniversity).status == 303)
            rig.browser.clearCookies()
            var viaGoogle = viaUniversity
            viaGoogle.subject = "http://cilogon.org/serverE/users/2"
            let second = try rig.signIn(viaGoogle)
            #expect(second.status == 303, "no crash on the unique constraint: \(second.text)")
            #expect(try rig.count("users") == 1)
            #expect(try rig.count("identities") == 2)
            #expect(try rig.count("identities", where: "link_method = 'email'") == 1)
            #expect(try decisions(rig).map(\.rule) == ["3.email_link.no_match.signup", "3.email_link.one_match.further_identity"])
        }
    }

    /// Seed 000 with the default `multiple_identities: "deny"`: the same broker case is a clear
    /// 403 page naming the conflict, never a crash and never a second row.
    @Test func seed000BrokerSecondSubjectIsDeniedByDefault() throws {
        try withRig(providerJSON: #""user_matching_mode": "email_link""#) { rig in
            #expect(try rig.signIn().status == 303)
            rig.browser.clearCookies()
            var attacker = SignInRig.Person()
            attacker.subject = "another-subject"
            let page = try rig.signIn(attacker)
            #expect(page.status == 403)
            #expect(page.text.contains("already linked to a different account"))
            #expect(page.text.contains("Reference:"))
            #expect(try rig.count("identities") == 1)
            #expect(try rig.me().status == 401, "no session came of it")
            let last = try #require(try decisions(rig).last)
            #expect(last.decision == "deny")
            #expect(last.reason == "identity_conflict")
            #expect(last.requestID?.isEmpty == false)
            #expect(try rig.auditEvents().last?.detail.contains("reason=identity_conflict") == true)
        }
    }

    /// Seed 001: an attacker's provider account carrying the victim's address, unverified, is
    /// refused; and it does not create a second account with that address either.
    @Test func seed001UnverifiedEmailIsNeverLinked() throws {
        try withRig(providerJSON: #""user_matching_mode": "email_link""#) { rig in
            #expect(try rig.signIn().status == 303)
            rig.browser.clearCookies()
            var attacker = SignInRig.Person()
            attacker.subject = "attacker"
            attacker.emailVerified = false
            let page = try rig.signIn(attacker)
            #expect(page.status == 403)
            #expect(page.text.contains("not verified"))
            #expect(try rig.count("users") == 1)
            #expect(try decisions(rig).last?.reason == "email_not_verified")
        }
    }

    /// Review finding: a username counted as verified whoever vouched for it. A partner provider
    /// trusted for its own usernames (here "dev", in identifier mode) created `alice`, marked
    /// verified; the real Alice's first sign-in through "work" (`username_link`) was linked to
    /// that user. The verifier is now stored, and "work" takes only its own or an operator's.
    @Test func aUsernameAnotherProviderVouchedForIsNoLinkTarget() throws {
        let rig = try SignInRig(
            alsoAs: ["work"],
            providerJSONBySlug: [
                "dev": #""username_claim_trusted": true"#,
                "work": #""user_matching_mode": "username_link", "username_claim_trusted": true, "require_email_verified": false"#,
            ]
        )
        defer { rig.stop() }
        var partner = SignInRig.Person()
        partner.subject = "partner-x1"
        partner.email = "x1@partner.example"
        #expect(try rig.signIn(partner).status == 303)
        #expect(try rig.count("users", where: "username = 'alice' AND username_verified_by = 'provider:dev'") == 1)
        rig.browser.clearCookies()
        var alice = SignInRig.Person()
        alice.subject = "alice-at-work"
        alice.email = "alice@work.example"
        let page = try rig.signIn(alice, provider: "work")
        #expect(page.status == 403, "\(page.text)")
        #expect(try rig.count("identities", where: "user_id = 1") == 1, "the partner's user gained no identity")
        #expect(try decisions(rig).last?.reason == "account_not_verified")
    }

    /// Seed 001's legacy path: a pre-provisioned identity with an empty subject is filled once at
    /// the first sign-in of a person matched by a verified email.
    @Test func seed001LegacyEmptySubjectIsFilledOnce() throws {
        try withRig(providerJSON: #""user_matching_mode": "email_link""#) { rig in
            try rig.gatehouse.database.write { connection in
                try connection.execute(
                    "INSERT INTO users (username, username_key, username_skeleton, email, email_key, email_verified, email_verified_by, active, created_at, updated_at) VALUES ('alice', 'alice', 'alice', 'Alice@Example.com', 'alice@example.com', 1, 'admin', 1, 0, 0)"
                )
                try connection.execute(
                    "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (1, 'dev', ?, '', 'admin', 0)",
                    [.text(rig.provider.issuer)]
                )
            }
            #expect(try rig.signIn().status == 303)
            #expect(try rig.count("identities", where: "subject = 'alice-subject' AND user_id = 1") == 1)
            #expect(try decisions(rig).last?.decision == "fill_subject")
            rig.browser.clearCookies()
            var other = SignInRig.Person()
            other.subject = "someone-else"
            #expect(try rig.signIn(other).status == 403, "a filled subject is never overwritten, and the default deny holds")
            #expect(try rig.count("identities", where: "subject = 'alice-subject'") == 1)
        }
    }

    /// Issue 4 rule 5: after the provider's issuer changed, the old identity is not matched and
    /// the sign-in is denied with the cause; the operator's rekey makes it work again.
    @Test func anIssuerChangeIsDeniedUntilRekeyed() throws {
        try withRig { rig in
            try rig.gatehouse.database.write { connection in
                try connection.execute(
                    "INSERT INTO users (username, username_key, username_skeleton, email, email_key, email_verified, email_verified_by, active, created_at, updated_at) VALUES ('alice', 'alice', 'alice', 'alice@example.com', 'alice@example.com', 1, 'admin', 1, 0, 0)"
                )
                try connection.execute(
                    "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (1, 'dev', 'https://old.example.com', 'alice-subject', 'provisioned', 0)"
                )
            }
            let page = try rig.signIn()
            #expect(page.status == 403)
            #expect(page.text.contains("changed its address"))
            #expect(try rig.count("users") == 1, "no fresh account for a known subject")
            #expect(try rig.auditEvents().last?.detail.contains("previous_issuer=https://old.example.com") == true)
            try rig.gatehouse.database.write { connection in
                try connection.execute("UPDATE identities SET issuer = ? WHERE issuer = 'https://old.example.com'", [.text(rig.provider.issuer)])
            }
            #expect(try rig.signIn().status == 303)
            #expect(try decisions(rig).last?.rule == "1.identity_exists.sign_in")
        }
    }

    @Test func signupsOffDeniesAnUnknownPerson() throws {
        try withRig(providerJSON: #""signups": false"#) { rig in
            let page = try rig.signIn()
            #expect(page.status == 403)
            #expect(page.text.contains("new accounts cannot be created"))
            #expect(try rig.count("users") == 0)
            #expect(try decisions(rig).last?.reason == "signup_disabled")
        }
    }

    @Test func aDomainOutsideTheAllowListIsDenied() throws {
        try withRig(providerJSON: #""allowed_email_domains": ["example.org"]"#) { rig in
            let page = try rig.signIn()
            #expect(page.status == 403)
            #expect(try decisions(rig).last?.reason == "domain_not_allowed")
            #expect(try rig.count("users") == 0)
        }
    }

    @Test func anInactiveUserIsDenied() throws {
        try withRig { rig in
            #expect(try rig.signIn().status == 303)
            try rig.gatehouse.database.write { try $0.execute("UPDATE users SET active = 0") }
            rig.browser.clearCookies()
            let page = try rig.signIn()
            #expect(page.status == 403)
            #expect(page.text.contains("disabled"))
        }
    }
}

/// The browsers and callback URLs the concurrent test hands to its threads; each thread touches
/// only its own index.
private final class ConcurrentCallbacks: @unchecked Sendable {
    let browsers: [BrowserClient]
    let callbacks: [String]

    init(browsers: [BrowserClient], callbacks: [String]) {
        self.browsers = browsers
        self.callbacks = callbacks
    }
}
