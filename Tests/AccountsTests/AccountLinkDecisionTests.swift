import Testing
@testable import Accounts

/// The account page's "link another provider", decided by the engine like a sign-in (issue 11
/// section 3): a table of store states, with the outcome for each email the identity may carry.
@Suite("Account-page link decisions")
struct AccountLinkDecisionTests {
    /// Alice (user 1) is signed in and links an identity of `corp`.
    static let aliceID: Int64 = 1

    enum Outcome: Equatable, CustomStringConvertible {
        case link(further: Bool)
        case alreadyLinked
        case deny(DenyCode, rule: String)

        var description: String {
            switch self {
            case .link(let further): further ? "link (further)" : "link"
            case .alreadyLinked: "already linked"
            case .deny(let code, let rule): "deny \(code.rawValue) (\(rule))"
            }
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let state: String
        let view: AccountLinkView
        let policy: ProviderPolicy
        let email: String
        let verified: Bool
        let expected: Outcome
        let reason: String
        var testDescription: String { reason }
    }

    static let alice = Fixture.user(id: 1)
    static let identity = Fixture.knownIdentity(id: 10, subject: Fixture.subject)
    static let otherSubject = Fixture.knownIdentity(id: 11, subject: Fixture.otherSubject)
    static let oldIssuer = Fixture.knownIdentity(id: 12, issuer: Fixture.oldIssuer, subject: Fixture.subject)
    static let corpOnly = ProviderPolicy(allowedEmailDomains: ["corp.example"])
    static let allowMany = ProviderPolicy(multipleIdentities: .allow)

    static let rows: [Row] = [
        Row(state: "fresh", view: AccountLinkView(user: CandidateUser(user: alice)), policy: ProviderPolicy(),
            email: "alice@personal.example", verified: false, expected: .link(further: false),
            reason: "no allow-list: the signed-in person may link any account of theirs"),
        Row(state: "allow-list, personal", view: AccountLinkView(user: CandidateUser(user: alice)), policy: corpOnly,
            email: "alice@personal.example", verified: true, expected: .deny(.domainNotAllowed, rule: "account_page.domain_not_allowed"),
            reason: "the provider's allow-list holds on the account page too (it was skipped)"),
        Row(state: "allow-list, unverified corp", view: AccountLinkView(user: CandidateUser(user: alice)), policy: corpOnly,
            email: "alice@corp.example", verified: false, expected: .deny(.domainNotAllowed, rule: "account_page.domain_not_allowed"),
            reason: "an unverified address proves no domain"),
        Row(state: "allow-list, look-alike", view: AccountLinkView(user: CandidateUser(user: alice)), policy: ProviderPolicy(allowedEmailDomains: ["github.com"]),
            email: "alice@gıthub.com", verified: true, expected: .deny(.domainNotAllowed, rule: "account_page.domain_not_allowed"),
            reason: "gıthub.com is not github.com"),
        Row(state: "allow-list, corp", view: AccountLinkView(user: CandidateUser(user: alice)), policy: corpOnly,
            email: "alice@corp.example", verified: true, expected: .link(further: false), reason: "a verified address at an allowed domain"),
        Row(state: "already hers", view: AccountLinkView(existing: IdentityWithOwner(identity: identity, user: alice), user: CandidateUser(user: alice, identities: [identity])),
            policy: ProviderPolicy(), email: "a@b.example", verified: true, expected: .alreadyLinked, reason: "nothing to do"),
        Row(state: "someone else's", view: AccountLinkView(existing: IdentityWithOwner(identity: identity, user: Fixture.user(id: 2, username: "bob")), user: CandidateUser(user: alice)),
            policy: ProviderPolicy(), email: "a@b.example", verified: true,
            expected: .deny(.identityOwnedByAnotherUser, rule: "account_page.owned_by_another_user"), reason: "an identity is never moved"),
        Row(state: "inactive", view: AccountLinkView(user: CandidateUser(user: Fixture.user(id: 1, isActive: false))), policy: ProviderPolicy(),
            email: "a@b.example", verified: true, expected: .deny(.userInactive, rule: "account_page.user_inactive"), reason: "a disabled user links nothing"),
        Row(state: "gone", view: AccountLinkView(), policy: ProviderPolicy(), email: "a@b.example", verified: true,
            expected: .deny(.userInactive, rule: "account_page.user_inactive"), reason: "nor a removed one"),
        Row(state: "one per user", view: AccountLinkView(user: CandidateUser(user: alice, identities: [otherSubject])), policy: ProviderPolicy(),
            email: "a@b.example", verified: true, expected: .deny(.oneIdentityPerUser, rule: "account_page.one_identity_per_user"),
            reason: "multiple_identities: deny"),
        Row(state: "further", view: AccountLinkView(user: CandidateUser(user: alice, identities: [otherSubject])), policy: allowMany,
            email: "a@b.example", verified: true, expected: .link(further: true), reason: "multiple_identities: allow"),
        Row(state: "issuer changed", view: AccountLinkView(user: CandidateUser(user: alice), sameSubjectOtherIssuer: [oldIssuer]), policy: allowMany,
            email: "a@b.example", verified: true, expected: .deny(.identityConflict, rule: "account_page.issuer_changed"),
            reason: "the subject is known under the old issuer: rekey, do not duplicate"),
    ]

    @Test("every row", arguments: rows)
    func row(_ row: Row) {
        let incoming = Fixture.identity(claims: ["email": .string(row.email), "email_verified": .bool(row.verified)])
        let decision = LinkingEngine.decideAccountLink(identity: incoming, userID: Self.aliceID, policy: row.policy, store: row.view)
        let outcome: Outcome
        switch decision {
        case .link(let link):
            #expect(link.userID == Self.aliceID && link.rule.name.hasPrefix("account_page."))
            outcome = .link(further: link.isFurtherIdentity)
        case .alreadyLinked(let already):
            #expect(already.identityID == 10 && already.rule.name == "account_page.already_linked")
            outcome = .alreadyLinked
        case .deny(let reason):
            outcome = .deny(reason.code, rule: reason.rule.name)
        }
        #expect(outcome == row.expected, "\(row.state): \(row.reason): got \(outcome)")
    }
}
