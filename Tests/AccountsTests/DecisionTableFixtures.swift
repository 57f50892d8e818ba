@testable import Accounts

/// The store states of issue 4 section 5, each as the integrator's four queries would fill the
/// store view for Alice's sign-in (provider `corp`, this issuer, subject `sub-alice`).
enum StoreState: String, CaseIterable, Sendable {
    case noUser
    case userWithoutIdentities
    /// Alice's account exists but neither its email nor its username is verified.
    case userUnverified
    case identitySameSubject
    case identityOtherSubject
    /// A pre-provisioned identity of this provider with an empty subject.
    case identityEmptySubject
    /// Alice's identity of this provider holds this subject under the provider's old issuer.
    case identityOtherIssuer
    case identityOfOtherProviderOnly
    /// Two users share Alice's email (usernames `alice` and `alice2`).
    case twoUsersSameEmail
    case inactiveUser
    case inactiveUserWithThisIdentity
    /// Alice's address, verified by another provider (`github`) that this one does not accept.
    case userVerifiedByOtherProvider
    /// Two users hold Alice's address: Alice (user 1, verified) and user 2, who claimed it at
    /// some provider without verifying it.
    case unverifiedHolderBesideOwner

    var view: StoreView {
        let alice = Fixture.user(id: 1)
        switch self {
        case .noUser:
            return StoreView()
        case .userWithoutIdentities:
            return StoreView(candidates: [CandidateUser(user: alice)])
        case .userUnverified:
            return StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1, emailVerified: false, usernameVerified: false))])
        case .identitySameSubject:
            let identity = Fixture.knownIdentity(id: 10, subject: Fixture.subject)
            return StoreView(existing: IdentityWithOwner(identity: identity, user: alice),
                             candidates: [CandidateUser(user: alice, identities: [identity])])
        case .identityOtherSubject:
            let identity = Fixture.knownIdentity(id: 10, subject: Fixture.otherSubject)
            return StoreView(candidates: [CandidateUser(user: alice, identities: [identity])])
        case .identityEmptySubject:
            let identity = Fixture.knownIdentity(id: 10, subject: "")
            let owner = CandidateUser(user: alice, identities: [identity])
            return StoreView(candidates: [owner], unclaimed: [UnclaimedIdentity(identity: identity, owner: owner)])
        case .identityOtherIssuer:
            let identity = Fixture.knownIdentity(id: 10, issuer: Fixture.oldIssuer, subject: Fixture.subject)
            return StoreView(candidates: [CandidateUser(user: alice, identities: [identity])], sameSubjectOtherIssuer: [identity])
        case .identityOfOtherProviderOnly:
            let identity = Fixture.knownIdentity(id: 10, provider: "github", subject: Fixture.subject)
            return StoreView(candidates: [CandidateUser(user: alice, identities: [identity])])
        case .twoUsersSameEmail:
            return StoreView(candidates: [CandidateUser(user: alice), CandidateUser(user: Fixture.user(id: 2, username: "alice2"))])
        case .inactiveUser:
            return StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1, isActive: false))])
        case .inactiveUserWithThisIdentity:
            let identity = Fixture.knownIdentity(id: 10, subject: Fixture.subject)
            let inactive = Fixture.user(id: 1, isActive: false)
            return StoreView(existing: IdentityWithOwner(identity: identity, user: inactive),
                             candidates: [CandidateUser(user: inactive, identities: [identity])])
        case .userVerifiedByOtherProvider:
            return StoreView(candidates: [CandidateUser(user: Fixture.user(id: 1, verifiedBy: .provider("github")))])
        case .unverifiedHolderBesideOwner:
            let squatter = Fixture.user(id: 2, emailVerified: false, username: "mallory", usernameVerified: false)
            return StoreView(candidates: [CandidateUser(user: squatter), CandidateUser(user: alice)])
        }
    }
}

/// The `email_verified` shapes of issue 4 section 5.
enum EmailVerifiedShape: String, CaseIterable, Sendable {
    case jsonTrue, jsonFalse, stringTrue, stringFalse, missing, jsonNull, numberOne

    var claim: ClaimValue? {
        switch self {
        case .jsonTrue: .bool(true)
        case .jsonFalse: .bool(false)
        case .stringTrue: .string("true")
        case .stringFalse: .string("false")
        case .missing: nil
        case .jsonNull: .null
        case .numberOne: .number("1")
        }
    }

    /// Explicit, written out rather than computed: only JSON true, or "true" when strings are
    /// accepted, is verified (issue 4 section 2, fail closed).
    func isVerified(acceptStrings: Bool) -> Bool {
        switch (self, acceptStrings) {
        case (.jsonTrue, false): true
        case (.jsonTrue, true): true
        case (.stringTrue, false): false // a string is not a boolean unless the provider is known to send strings
        case (.stringTrue, true): true
        case (.jsonFalse, _): false
        case (.stringFalse, _): false
        case (.missing, _): false // absence is not consent
        case (.jsonNull, _): false
        case (.numberOne, _): false // seed 001's type confusion: 1 is not true
        }
    }
}

/// What the table expects, before signups and the domain allow-list are applied.
enum Expected: Equatable, Sendable, CustomStringConvertible {
    case signIn(rule: String)
    case fill(rule: String)
    case link(MatchAttribute, further: Bool, rule: String)
    /// Create a user; with signups off, deny `offCode` by `offRule`.
    case create(rule: String, offCode: DenyCode, offRule: String)
    case deny(DenyCode, rule: String, issuerChanged: Bool = false)

    var description: String {
        switch self {
        case .signIn(let rule): "sign in (\(rule))"
        case .fill(let rule): "fill subject (\(rule))"
        case .link(let by, let further, let rule): "link by \(by.rawValue)\(further ? ", further" : "") (\(rule))"
        case .create(let rule, _, _): "create (\(rule))"
        case .deny(let code, let rule, let cause): "deny \(code.rawValue)\(cause ? " [issuer changed]" : "") (\(rule))"
        }
    }
}

/// One row of the decision table: a mode and a store state, what happens when the incoming email
/// is verified and when it is not, and what changes under `multiple_identities: allow`.
struct DecisionRow: Sendable {
    let mode: UserMatchingMode
    let state: StoreState
    let verified: Expected
    let unverified: Expected
    /// Under `multiple_identities: allow`, when it differs (verified email only).
    let allowVerified: Expected?
    let allowUnverified: Expected?
    let reason: String

    init(_ mode: UserMatchingMode, _ state: StoreState, verified: Expected, unverified: Expected? = nil,
         allow: Expected? = nil, allowUnverified: Expected? = nil, _ reason: String) {
        self.mode = mode
        self.state = state
        self.verified = verified
        self.unverified = unverified ?? verified
        self.allowVerified = allow
        self.allowUnverified = allowUnverified
        self.reason = reason
    }
}
