import Testing
@testable import Accounts

/// Seed 004's guard table, one test per row, at the config level and in the engine. (The
/// database CHECK constraint and config validation are the integrator's halves.) Each test runs
/// the same sign-in: a user with a verified email exists and the provider asserts that address.
@Suite("Seed 004 guard table")
struct Seed004GuardTests {
    static let store = StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1))])

    static func decide(_ policy: ProviderPolicy, claims: [String: ClaimValue]) -> LinkDecision {
        LinkingEngine.decide(identity: Fixture.identity(claims: claims), policy: policy, store: store)
    }

    /// Case A: email claim, email_verified required, auto-link: allowed.
    @Test func seed004_guardTable_rowA_standardClaimVerifiedRequired_allowed() {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: true)
        #expect(policy.guardViolations().isEmpty)
        #expect(Self.decide(policy, claims: Fixture.claims(emailVerified: .bool(true))).name == "link")
    }

    /// Case B: email claim, email_verified not required, auto-link: blocked, in the engine too,
    /// even when this particular sign-in happens to carry a verified email.
    @Test func seed004_guardTable_rowB_standardClaimVerifiedNotRequired_blocked() throws {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: false)
        #expect(policy.guardViolations().map(\.code) == [.emailLinkRequiresVerifiedEmail])
        #expect(policy.guardViolations().map(\.key) == ["require_email_verified"])
        for verified: ClaimValue? in [.bool(true), .bool(false), nil] {
            let reason = try #require(Self.decide(policy, claims: Fixture.claims(emailVerified: verified)).denyReason)
            #expect(reason.code == .unsafePolicy)
            #expect(reason.rule.name == "guard.email_link_requires_verified_email")
        }
    }

    /// Case C (Azure): preferred_username as the email claim, any require_email_verified: allowed,
    /// here once the administrator declares the claim trusted (the reviewer's precondition), and
    /// with a warning. No email_verified is needed: Entra ID does not send one for it.
    @Test func seed004_guardTable_rowC_preferredUsernameClaimAnyRequire_allowed() {
        for require in [true, false] {
            let policy = ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: require,
                                        emailClaim: "preferred_username", emailClaimTrusted: true)
            #expect(policy.guardViolations().isEmpty, "require_email_verified \(require)")
            #expect(policy.warnings().map(\.code) == [.trustedCustomEmailClaim])
            let decision = Self.decide(policy, claims: ["preferred_username": .string("alice@example.com")])
            #expect(decision.name == "link", "require_email_verified \(require): \(decision)")
        }
    }

    /// Case C (Azure): upn, require_email_verified false: allowed when trusted, with a warning.
    @Test func seed004_guardTable_rowC_upnClaimVerifiedNotRequired_allowed() {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: false,
                                    emailClaim: "upn", emailClaimTrusted: true)
        #expect(policy.guardViolations().isEmpty)
        #expect(policy.warnings().map(\.code) == [.trustedCustomEmailClaim])
        #expect(Self.decide(policy, claims: ["upn": .string("Alice@example.com")]).name == "link")
    }

    /// The reviewer's objection to seed 004, made a row: a custom claim the user can set (some
    /// Keycloak realms let users choose preferred_username) is not trusted, and auto-link on it
    /// is blocked in config and in the engine.
    @Test func seed004_guardTable_rowC_customClaimNotTrusted_blocked() throws {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, emailClaim: "preferred_username")
        #expect(policy.guardViolations().map(\.code) == [.emailLinkRequiresTrustedClaim])
        #expect(policy.guardViolations().map(\.key) == ["email_claim_trusted"])
        let reason = try #require(Self.decide(policy, claims: ["preferred_username": .string("alice@example.com")]).denyReason)
        #expect(reason.code == .unsafePolicy)
        #expect(reason.rule.name == "guard.email_link_requires_trusted_email_claim")
    }

    /// The same guard for usernames: username_link on an untrusted claim is blocked everywhere.
    @Test func seed004_guardTable_usernameLinkUntrusted_blocked() throws {
        let policy = ProviderPolicy(userMatchingMode: .usernameLink)
        #expect(policy.guardViolations().map(\.code) == [.usernameLinkRequiresTrustedClaim])
        let reason = try #require(Self.decide(policy, claims: Fixture.claims(emailVerified: .bool(true))).denyReason)
        #expect(reason.code == .unsafePolicy)
    }

    /// An unsafe policy still lets a known identity sign in (rule 1 binds nothing new), so an
    /// operator's mistake does not lock out every existing user; it never links.
    @Test func unsafePolicy_stillSignsInKnownIdentity() {
        let identity = Fixture.knownIdentity(id: 10, subject: Fixture.subject)
        let store = StoreView(existing: IdentityWithOwner(identity: identity, user: Fixture.user(id: 1)))
        let policy = ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: false)
        let decision = LinkingEngine.decide(identity: Fixture.identity(claims: [:]), policy: policy, store: store)
        #expect(decision.name == "sign_in")
    }
}
