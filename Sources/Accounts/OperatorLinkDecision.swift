/// An operator's request to give a user an identity of a provider (the admin API and
/// `gatehouse identities add`): with the subject the provider knows the person by, or with an
/// empty one that the person's first sign-in fills (rule 2 of a sign-in).
public struct OperatorLinkRequest: Sendable, Equatable {
    public let provider: String
    /// The provider's configured issuer: the one a sign-in through it will carry.
    public let issuer: String
    /// Empty for a pre-provisioned identity.
    public let subject: String
    public let userID: Int64

    public init(provider: String, issuer: String, subject: String, userID: Int64) {
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
        self.userID = userID
    }

    /// True when `known` is the identity this request names (never for an empty subject).
    func names(_ known: KnownIdentity) -> Bool {
        !subject.isEmpty && !known.subject.isEmpty && sameBytes(known.provider, provider)
            && sameBytes(known.issuer, issuer) && sameBytes(known.subject, subject)
    }
}

/// The one outcome of an operator's link, decided before anything is written.
public enum OperatorLinkDecision: Sendable, Equatable {
    /// Write the identity (link method `admin`); `rule` says which branch allowed it.
    case link(rule: DecisionRule)
    case refuse(OperatorLinkRefusal)

    public var rule: DecisionRule {
        switch self {
        case .link(let rule): rule
        case .refuse(let refusal): refusal.rule
        }
    }
}

/// Why an operator's link is refused. Unlike a person's `DenyReason`, an operator is told who
/// holds what: the ids are theirs to look up.
public enum OperatorLinkRefusal: Sendable, Equatable {
    /// The identity belongs to another user; it never moves silently.
    case ownedByAnotherUser(ownerID: Int64, identityID: Int64)
    /// The user holds this identity already.
    case alreadyLinked(identityID: Int64)
    /// The provider knows this subject under another issuer: its issuer changed, and
    /// `rekey-issuer` is the deliberate fix.
    case issuerChanged(identityID: Int64, previousIssuer: String)
    /// The user holds an identity of this provider and `multiple_identities` is `deny`.
    case oneIdentityPerUser(identityID: Int64)
    /// The user already has an identity of this provider waiting for its first sign-in.
    case pendingIdentityExists(identityID: Int64)
    /// The user is deactivated.
    case userInactive
    /// The provider's policy is unsafe (the engine's last-layer re-check of the guard).
    case unsafePolicy(violation: String)

    /// A stable name, for the API's problem type and the command line.
    public var code: String {
        switch self {
        case .ownedByAnotherUser: "identity_owned_by_another_user"
        case .alreadyLinked: "identity_already_linked"
        case .issuerChanged: "identity_issuer_changed"
        case .oneIdentityPerUser: "one_identity_per_user"
        case .pendingIdentityExists: "pending_identity_exists"
        case .userInactive: "user_inactive"
        case .unsafePolicy: "unsafe_policy"
        }
    }

    public var rule: DecisionRule { DecisionRule("operator." + code) }
}

/// `LinkingEngine.decideOperatorLink`'s rules, in order, each answering with its rule:
/// 1. the identity exists: another user's (refused, naming the owner) or this user's already;
/// 2. the user is gone or deactivated;
/// 3. the provider's policy fails the guard;
/// 4. the provider knows this subject under another issuer;
/// 5. the user holds an identity of this provider waiting for its first sign-in;
/// 6. the user holds an identity of this provider and `multiple_identities` is `deny`.
struct OperatorLinkDecider {
    let request: OperatorLinkRequest
    let policy: ProviderPolicy
    let store: AccountLinkView

    func decide() -> OperatorLinkDecision {
        if let existing = store.existing, request.names(existing.identity) {
            guard existing.user.id == request.userID else {
                return .refuse(.ownedByAnotherUser(ownerID: existing.user.id, identityID: existing.identity.id))
            }
            return .refuse(.alreadyLinked(identityID: existing.identity.id))
        }
        guard let user = store.user, user.user.id == request.userID, user.user.isActive else {
            return .refuse(.userInactive)
        }
        if let violation = policy.guardViolations().first {
            return .refuse(.unsafePolicy(violation: violation.code.rawValue))
        }
        if !request.subject.isEmpty, let old = store.sameSubjectOtherIssuer.first(where: { known in
            sameBytes(known.provider, request.provider) && sameBytes(known.subject, request.subject)
                && !sameBytes(known.issuer, request.issuer)
        }) {
            return .refuse(.issuerChanged(identityID: old.id, previousIssuer: old.issuer))
        }
        let held = user.identities.filter { sameBytes($0.provider, request.provider) }
        if let pending = held.first(where: { $0.subject.isEmpty }) {
            return .refuse(.pendingIdentityExists(identityID: pending.id))
        }
        if let other = held.first, policy.multipleIdentities == .deny {
            return .refuse(.oneIdentityPerUser(identityID: other.id))
        }
        let branch = request.subject.isEmpty ? "pre_provision" : (held.isEmpty ? "first_link" : "further_identity")
        return .link(rule: DecisionRule("operator." + branch))
    }
}
