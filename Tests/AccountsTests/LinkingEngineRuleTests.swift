import Testing
@testable import Accounts

/// Branches of the rules that the decision table does not reach: rule 2's edges, the store
/// view's re-checks, and what a creation carries.
@Suite("Linking engine rules beyond the table")
struct LinkingEngineRuleTests {
    static let verifiedAlice = Fixture.identity(claims: Fixture.claims(emailVerified: .bool(true)))

    static func unclaimed(id: Int64, issuer: String = Fixture.issuer, owner: KnownUser, others: [KnownIdentity] = []) -> UnclaimedIdentity {
        let identity = Fixture.knownIdentity(id: id, issuer: issuer, subject: "")
        return UnclaimedIdentity(identity: identity, owner: CandidateUser(user: owner, identities: [identity] + others))
    }

    /// Review finding: a username counted as verified whoever vouched for it, so a partner
    /// provider trusted for its own usernames created `alice`, and the real Alice's first
    /// sign-in through `corp` (`username_link`) was linked to that user. As for email, only an
    /// operator's verification, this provider's own, or one it lists counts.
    @Test("username_link: a username another provider verified is no link target unless this provider accepts it",
          arguments: [
              (EmailVerifier.provider("partner"), [String](), "deny"),
              (.provider("partner"), ["partner"], "link"),
              (.provider(Fixture.provider), [], "link"),
              (.administrator, [], "link"),
          ])
    func usernameVerificationHasAProvenance(_ verifier: EmailVerifier, _ accepted: [String], _ expected: String) throws {
        let policy = ProviderPolicy(userMatchingMode: .usernameLink, usernameClaimTrusted: true, acceptUsernameVerifiedBy: accepted)
        let minted = CandidateUser(user: Fixture.user(id: 1, email: nil, emailVerified: false, usernameVerifiedBy: verifier), identities: [])
        let decision = LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: StoreView(candidates: [minted]))
        #expect(decision.name == expected, "\(verifier) accepted by \(accepted)")
        if expected == "deny" { #expect(decision.denyReason?.code == .accountNotVerified) }
    }

    @Test("Rule 2: a pre-provisioned identity of a user whose email is unverified is not filled")
    func ruleTwoNeedsVerifiedOwner() throws {
        let store = StoreView(unclaimed: [Self.unclaimed(id: 10, owner: Fixture.user(id: 1, emailVerified: false, usernameVerified: false))])
        let decision = LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: store)
        #expect(decision.name == "create_user", "pre-account hijacking: an unverified address is never a target")
    }

    @Test("Rule 2: two pre-provisioned identities matching one sign-in are ambiguous")
    func ruleTwoAmbiguous() throws {
        let store = StoreView(unclaimed: [
            Self.unclaimed(id: 10, owner: Fixture.user(id: 1)),
            Self.unclaimed(id: 11, owner: Fixture.user(id: 2, username: "alice2")),
        ])
        let reason = try #require(LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: store).denyReason)
        #expect(reason.code == .ambiguousMatch)
        #expect(reason.rule.name == "2.empty_subject.ambiguous")
    }

    @Test("Rule 2: the same row returned twice (by email and by username) is one identity")
    func ruleTwoDeduplicates() {
        let row = Self.unclaimed(id: 10, owner: Fixture.user(id: 1))
        let decision = LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: StoreView(unclaimed: [row, row]))
        #expect(decision.name == "fill_subject")
    }

    @Test("Rule 2: an inactive owner is denied")
    func ruleTwoInactive() throws {
        let store = StoreView(unclaimed: [Self.unclaimed(id: 10, owner: Fixture.user(id: 1, isActive: false))])
        let reason = try #require(LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: store).denyReason)
        #expect(reason.code == .userInactive)
        #expect(reason.rule.name == "2.empty_subject.user_inactive")
    }

    @Test("Rule 2: an empty-subject identity recorded under another issuer is not filled")
    func ruleTwoOtherIssuer() {
        let store = StoreView(unclaimed: [Self.unclaimed(id: 10, issuer: Fixture.oldIssuer, owner: Fixture.user(id: 1))])
        let decision = LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: store)
        #expect(decision.name == "create_user")
    }

    @Test("Rule 2: an owner who already holds a set identity of this provider is not given a second under deny")
    func ruleTwoOwnerHoldsAnother() throws {
        let set = Fixture.knownIdentity(id: 11, subject: Fixture.otherSubject)
        let store = StoreView(unclaimed: [Self.unclaimed(id: 10, owner: Fixture.user(id: 1), others: [set])])
        let reason = try #require(LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: store).denyReason)
        #expect(reason.code == .identityConflict)
        #expect(reason.rule.name == "2.empty_subject.other_identity")
        let allowed = LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(multipleIdentities: .allow), store: store)
        #expect(allowed.name == "fill_subject")
    }

    @Test("Rule 2 matches by a trusted username when the email is not verified")
    func ruleTwoByTrustedUsername() {
        let unverified = Fixture.identity(claims: Fixture.claims(emailVerified: .bool(false)))
        let store = StoreView(unclaimed: [Self.unclaimed(id: 10, owner: Fixture.user(id: 1))])
        #expect(LinkingEngine.decide(identity: unverified, policy: ProviderPolicy(usernameClaimTrusted: true), store: store).name == "fill_subject")
        #expect(LinkingEngine.decide(identity: unverified, policy: ProviderPolicy(), store: store).name == "create_user",
                "an untrusted username never fills")
    }

    @Test("Keys compare byte for byte: a canonically equivalent subject is another subject")
    func keysAreBytes() {
        let composed = "s\u{E9}"  // é as one scalar
        let decomposed = "se\u{301}"  // e + combining acute
        #expect(composed == decomposed, "Swift's == would have matched them")
        let stored = Fixture.knownIdentity(id: 10, subject: composed)
        let store = StoreView(existing: IdentityWithOwner(identity: stored, user: Fixture.user(id: 1)))
        let incoming = Fixture.identity(subject: decomposed, claims: [:])
        #expect(LinkingEngine.decide(identity: incoming, policy: ProviderPolicy(), store: store).name == "create_user")
    }

    @Test("A store view row that is not this identity is not signed in to")
    func existingIsRechecked() {
        let wrong = Fixture.knownIdentity(id: 10, provider: "github", subject: Fixture.subject)
        let store = StoreView(existing: IdentityWithOwner(identity: wrong, user: Fixture.user(id: 1)))
        #expect(LinkingEngine.decide(identity: Self.verifiedAlice, policy: ProviderPolicy(), store: store).name == "create_user")
    }

    @Test("Candidates are re-checked: a user whose email does not match is ignored, a duplicate row counts once")
    func candidatesAreRechecked() {
        let policy = ProviderPolicy(userMatchingMode: .emailLink)
        let stranger = CandidateUser(user: Fixture.user(id: 2, email: "bob@example.com", username: "bob"))
        #expect(LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: StoreView(candidates: [stranger])).name == "create_user")
        let alice = CandidateUser(user: Fixture.user(id: 1, email: "ALICE@example.com"))
        #expect(LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: StoreView(candidates: [alice, alice])).name == "link")
    }

    /// Issue 11 section 2: an unverified claim to the address is no rival of its verified owner.
    @Test("An unverified holder of the address does not make the owner's match ambiguous; two verified holders do")
    func ambiguityCountsOnlyVerifiedHolders() throws {
        let policy = ProviderPolicy(userMatchingMode: .emailLink)
        let withSquatter = StoreView(candidates: [
            CandidateUser(user: Fixture.user(id: 1)),
            CandidateUser(user: Fixture.user(id: 2, emailVerified: false, username: "alice2")),
        ])
        guard case .linkThenSignIn(let link) = LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: withSquatter) else {
            Issue.record("expected the owner to be linked")
            return
        }
        #expect(link.userID == 1)
        let twoVerified = StoreView(candidates: [
            CandidateUser(user: Fixture.user(id: 1)),
            CandidateUser(user: Fixture.user(id: 2, username: "alice2")),
        ])
        #expect(LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: twoVerified).denyReason?.code == .ambiguousMatch)
    }

    /// Issue 11 section 2: a provider in identifier mode must not mint "verified" users that an
    /// email_link provider then links to, unless the operator says it trusts it.
    @Test("Another provider's verification counts only when accept_email_verified_by lists it")
    func verifierMustBeAccepted() {
        let mintedByOther = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1, verifiedBy: .provider("social")))])
        let strict = ProviderPolicy(userMatchingMode: .emailLink)
        guard case .createUserThenSignIn = LinkingEngine.decide(identity: Self.verifiedAlice, policy: strict, store: mintedByOther) else {
            Issue.record("an unaccepted verifier's user must not be linked to")
            return
        }
        let trusting = ProviderPolicy(userMatchingMode: .emailLink, acceptEmailVerifiedBy: ["social"])
        guard case .linkThenSignIn(let link) = LinkingEngine.decide(identity: Self.verifiedAlice, policy: trusting, store: mintedByOther) else {
            Issue.record("an accepted verifier's user is linked to")
            return
        }
        #expect(link.userID == 1)
        let ownVerification = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1, verifiedBy: .provider(Fixture.provider)))])
        guard case .linkThenSignIn = LinkingEngine.decide(identity: Self.verifiedAlice, policy: strict, store: ownVerification) else {
            Issue.record("this provider's own verification counts")
            return
        }
    }

    @Test("A new user carries the claims as given and their verification")
    func newUserFields() {
        let policy = ProviderPolicy(usernameClaimTrusted: true)
        guard case .createUserThenSignIn(let newUser) = LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: StoreView()) else {
            Issue.record("expected a creation")
            return
        }
        #expect(newUser.email == Fixture.email)
        #expect(newUser.emailVerified)
        #expect(newUser.usernameCandidate == "alice")
        #expect(newUser.usernameVerified)
        #expect(newUser.rule.name == "3.identifier.signup")
    }

    @Test("The domain allow-list needs a verified address, and applies to rule 2 fills")
    func domainOnFill() throws {
        let store = StoreView(unclaimed: [Self.unclaimed(id: 10, owner: Fixture.user(id: 1))])
        let policy = ProviderPolicy(usernameClaimTrusted: true, allowedEmailDomains: ["example.com"])
        let unverified = Fixture.identity(claims: Fixture.claims(emailVerified: .bool(false)))
        let reason = try #require(LinkingEngine.decide(identity: unverified, policy: policy, store: store).denyReason)
        #expect(reason.code == .domainNotAllowed)
        #expect(LinkingEngine.decide(identity: Self.verifiedAlice, policy: policy, store: store).name == "fill_subject")
    }

    @Test("Every deny code has its own plain sentence without internal detail", arguments: DenyCode.allCases)
    func messages(code: DenyCode) {
        let message = DenyReason.message(for: code)
        #expect(message.count > 40)
        #expect(!message.contains("_"), "no codes or keys on the page")
        let others = DenyCode.allCases.filter { $0 != code }.map { DenyReason.message(for: $0) }
        #expect(!others.contains(message))
        #expect(DenyReason.message(for: .identityConflict, cause: .issuerChanged(previousIssuer: "x")) != DenyReason.message(for: .identityConflict))
    }
}
