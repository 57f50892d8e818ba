/// The one outcome of an account-page link, decided before anything is written; effects follow
/// in one transaction with the decision's record, as for a sign-in (`LinkDecision`).
public enum AccountLinkDecision: Sendable, Equatable {
    /// A new identity of this provider for the signed-in user (link method `account_page`).
    case link(Link)
    /// The identity is the user's already: refresh its snapshot, nothing else.
    case alreadyLinked(AlreadyLinked)
    case deny(DenyReason)

    public struct Link: Sendable, Equatable {
        public let userID: Int64
        /// True when the user already holds another identity of this provider
        /// (`multiple_identities: allow`).
        public let isFurtherIdentity: Bool
        public let snapshot: IncomingAttributes
        public let rule: DecisionRule
    }

    public struct AlreadyLinked: Sendable, Equatable {
        public let userID: Int64
        public let identityID: Int64
        public let snapshot: IncomingAttributes
        public let rule: DecisionRule
    }

    public var rule: DecisionRule {
        switch self {
        case .link(let link): link.rule
        case .alreadyLinked(let already): already.rule
        case .deny(let reason): reason.rule
        }
    }

    /// The name stored in `link_decisions.decision`: `link`, `sign_in` (nothing new), `deny`.
    public var name: String {
        switch self {
        case .link: "link"
        case .alreadyLinked: "sign_in"
        case .deny: "deny"
        }
    }
}

/// What the store holds that matters to one account-page link, read inside the transaction
/// that carries the decision out.
public struct AccountLinkView: Sendable, Equatable {
    /// The identity with exactly this (provider, issuer, subject), with its owner.
    public var existing: IdentityWithOwner?
    /// The signed-in user with its identities of this provider; nil when the user is gone.
    public var user: CandidateUser?
    /// Identities of this provider with this subject under another issuer.
    public var sameSubjectOtherIssuer: [KnownIdentity]

    public init(existing: IdentityWithOwner? = nil, user: CandidateUser? = nil, sameSubjectOtherIssuer: [KnownIdentity] = []) {
        self.existing = existing
        self.user = user
        self.sameSubjectOtherIssuer = sameSubjectOtherIssuer
    }
}
