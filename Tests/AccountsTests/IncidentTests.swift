import Testing
@testable import Accounts

/// One named test per incident of the reference seeds (000 and 001); seed 004 is in
/// `Seed004GuardTests`.
@Suite("Incidents of seeds 000 and 001")
struct IncidentTests {
    /// Seed 000: a broker (CILogon) yields a second subject for the same person and email. The
    /// store view says the user already holds sub_A; the decision must be made before any insert.
    static func brokerStore() -> StoreView {
        let subA = Fixture.knownIdentity(id: 10, subject: "cilogon-campus-sub")
        return StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1), identities: [subA])])
    }

    static let googleViaBroker = Fixture.identity(subject: "cilogon-google-sub", claims: Fixture.claims(emailVerified: .bool(true)))

    @Test func seed000_brokerSecondSubjectSameEmail_deny() throws {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, multipleIdentities: .deny)
        let decision = LinkingEngine.decide(identity: Self.googleViaBroker, policy: policy, store: Self.brokerStore())
        let reason = try #require(decision.denyReason)
        #expect(reason.code == .identityConflict)
        #expect(reason.rule.name == "3.email_link.one_match.other_subject")
        #expect(reason.cause == nil)
    }

    @Test func seed000_brokerSecondSubjectSameEmail_allow() {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, multipleIdentities: .allow)
        let decision = LinkingEngine.decide(identity: Self.googleViaBroker, policy: policy, store: Self.brokerStore())
        guard case .linkThenSignIn(let link) = decision else {
            Issue.record("expected a further link, got \(decision)")
            return
        }
        #expect(link.userID == 1)
        #expect(link.method == .email)
        #expect(link.isFurtherIdentity)
        #expect(link.rule.name == "3.email_link.one_match.further_identity")
    }

    /// Seed 001: the victim has a linked subject; the attacker registers the victim's email at the
    /// same provider under another subject, with a verified email (the provider verified the
    /// attacker's control of an alias, or was tricked). Denied with signups on and off: the
    /// email fallback is a first-time linking aid only.
    @Test func seed001_attackerWithVictimEmailOtherSubject_denied() throws {
        let victimLink = Fixture.knownIdentity(id: 10, subject: "victim-sub")
        let store = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1), identities: [victimLink])])
        let attacker = Fixture.identity(subject: "attacker-sub", claims: Fixture.claims(emailVerified: .bool(true)))
        for signups in [true, false] {
            let policy = ProviderPolicy(userMatchingMode: .emailLink, signups: signups)
            let reason = try #require(LinkingEngine.decide(identity: attacker, policy: policy, store: store).denyReason)
            #expect(reason.code == .identityConflict, "signups \(signups)")
        }
    }

    /// Seed 001's chained bypass: `email_verified` sent as a string or a number is not verified.
    @Test func seed001_emailVerifiedTypeConfusion_notVerified() throws {
        let store = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1))])
        let policy = ProviderPolicy(userMatchingMode: .emailLink)
        for shape: ClaimValue in [.string("true"), .number("1"), .string("1"), .other] {
            let attacker = Fixture.identity(subject: "attacker-sub", claims: Fixture.claims(emailVerified: shape))
            let reason = try #require(LinkingEngine.decide(identity: attacker, policy: policy, store: store).denyReason)
            #expect(reason.code == .emailNotVerified, "\(shape)")
        }
    }

    /// Seed 001: a user made by an administrator (no link yet) links on first sign-in by email.
    @Test func seed001_firstTimeLinkByEmail_allowed() {
        let store = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 7))])
        let identity = Fixture.identity(claims: Fixture.claims(emailVerified: .bool(true)))
        let decision = LinkingEngine.decide(identity: identity, policy: ProviderPolicy(userMatchingMode: .emailLink), store: store)
        #expect(decision == .linkThenSignIn(.init(
            userID: 7, method: .email, isFurtherIdentity: false,
            snapshot: IncomingAttributes(identity: identity, policy: ProviderPolicy(userMatchingMode: .emailLink)),
            rule: DecisionRule("3.email_link.one_match.first_link")
        )))
    }

    /// Seed 001: a legacy link with an empty subject (and, as in Coder, no issuer recorded) is
    /// filled on the next sign-in, with this issuer and subject.
    @Test func seed001_legacyEmptySubject_filled() {
        let legacy = Fixture.knownIdentity(id: 10, issuer: "", subject: "")
        let owner = CandidateUser(user: Fixture.user(id: 1), identities: [legacy])
        let store = StoreView(candidates: [owner], unclaimed: [UnclaimedIdentity(identity: legacy, owner: owner)])
        let identity = Fixture.identity(claims: Fixture.claims(emailVerified: .bool(true)))
        let decision = LinkingEngine.decide(identity: identity, policy: ProviderPolicy(userMatchingMode: .emailLink), store: store)
        guard case .fillSubjectThenSignIn(let fill) = decision else {
            Issue.record("expected the legacy link to be filled, got \(decision)")
            return
        }
        #expect(fill.identityID == 10)
        #expect(fill.userID == 1)
        #expect(fill.issuer == Fixture.issuer)
        #expect(fill.subject == Fixture.subject)
        #expect(fill.rule.name == "2.empty_subject.fill")
    }

    /// Seed 001: after the issuer changes, the user's link (same subject, old issuer) no longer
    /// matches; the sign-in is denied and the message names the cause.
    @Test func seed001_issuerChange_denied() throws {
        let old = Fixture.knownIdentity(id: 10, issuer: Fixture.oldIssuer, subject: Fixture.subject)
        let store = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1), identities: [old])], sameSubjectOtherIssuer: [old])
        let identity = Fixture.identity(claims: Fixture.claims(emailVerified: .bool(true)))
        for mode in UserMatchingMode.allCases {
            let policy = ProviderPolicy(userMatchingMode: mode, usernameClaimTrusted: mode == .usernameLink)
            let reason = try #require(LinkingEngine.decide(identity: identity, policy: policy, store: store).denyReason, "\(mode)")
            #expect(reason.code == .identityConflict, "\(mode)")
            #expect(reason.cause == .issuerChanged(previousIssuer: Fixture.oldIssuer), "\(mode)")
            #expect(reason.message.contains("changed its address"), "\(mode)")
            #expect(!reason.message.contains(Fixture.oldIssuer), "the page shows no internal detail")
        }
    }
}
