/// What the store holds that matters to one sign-in, read by the integrator BEFORE calling
/// `LinkingEngine.decide`, so the decision stays a pure function and `simulate-login` can show it
/// without writing anything.
///
/// Fill it inside the same transaction that will carry out the decision (BEGIN IMMEDIATE), so
/// that what was decided is what is written. The engine re-checks every match it is given
/// (provider, issuer, subject, normalised email or username), so a query that returns too much
/// is harmless; one that returns too little is not (a missed candidate can turn an
/// `ambiguous_match` into a link). Four queries, with `identity` the incoming identity and
/// `attributes` its `IncomingAttributes` under the provider's policy:
///
/// 1. `existing`: the identity with exactly this key, with its user:
///    `SELECT … FROM identities JOIN users ON users.id = identities.user_id
///     WHERE provider = :provider AND issuer = :issuer AND subject = :subject AND subject <> ''`.
/// 2. `candidates`: every user whose stored `email_key` equals `attributes.emailKey`, and every
///    user whose stored `username_key` equals `attributes.usernameKey` (both, whatever the
///    matching mode: the engine picks), each with ALL its identities of this provider
///    (`WHERE user_id = :user AND provider = :provider`, empty subjects included). The keys are
///    `MatchingKey`'s, written with every email and username, and the engine compares the stored
///    key it is given byte for byte, exactly as the database's `=` did.
/// 3. `unclaimed`: the identities of this provider with an empty subject (pre-provisioned or
///    legacy links) whose user matches as in query 2 (or simply all of them), each with its user
///    and all of that user's identities of this provider.
/// 4. `sameSubjectOtherIssuer`: identities of this provider with this subject under another
///    issuer: `WHERE provider = :provider AND subject = :subject AND issuer <> :issuer`.
///    Non-empty after a provider's issuer changed (rule 5).
public struct StoreView: Sendable, Equatable {
    public var existing: IdentityWithOwner?
    public var candidates: [CandidateUser]
    public var unclaimed: [UnclaimedIdentity]
    public var sameSubjectOtherIssuer: [KnownIdentity]

    public init(
        existing: IdentityWithOwner? = nil,
        candidates: [CandidateUser] = [],
        unclaimed: [UnclaimedIdentity] = [],
        sameSubjectOtherIssuer: [KnownIdentity] = []
    ) {
        self.existing = existing
        self.candidates = candidates
        self.unclaimed = unclaimed
        self.sameSubjectOtherIssuer = sameSubjectOtherIssuer
    }
}

/// A user as the engine sees it.
public struct KnownUser: Sendable, Equatable {
    public var id: Int64
    public var isActive: Bool
    /// As stored.
    public var email: String?
    /// The stored `email_key`, the bytes the database compared.
    public var emailKey: String?
    /// Who verified the email, or nil when it is not verified. Only an email verified by a
    /// source the provider accepts may be a linking target (pre-account hijacking, issue 4
    /// section 1; verified-by, issue 11 section 2).
    public var emailVerifiedBy: EmailVerifier?
    public var username: String
    /// The stored `username_key`.
    public var usernameKey: String?
    /// Who verified the username (an operator, or the provider whose trusted claim it was), or
    /// nil when it is not verified. Only a username verified by a source the provider accepts
    /// may be a linking target: the same rule as for email (review finding: a provider trusted
    /// for its own usernames minted verified users that another provider's `username_link`
    /// then linked strangers to).
    public var usernameVerifiedBy: EmailVerifier?

    public init(
        id: Int64, isActive: Bool, email: String?, emailKey: String?, emailVerifiedBy: EmailVerifier?,
        username: String, usernameKey: String?, usernameVerifiedBy: EmailVerifier?
    ) {
        self.id = id
        self.isActive = isActive
        self.email = email
        self.emailKey = emailKey
        self.emailVerifiedBy = emailVerifiedBy
        self.username = username
        self.usernameKey = usernameKey
        self.usernameVerifiedBy = usernameVerifiedBy
    }

    public var emailVerified: Bool { emailVerifiedBy != nil }
    public var usernameVerified: Bool { usernameVerifiedBy != nil }
}

/// An identity row's key and id.
public struct KnownIdentity: Sendable, Equatable {
    public var id: Int64
    public var provider: String
    public var issuer: String
    /// Empty for a pre-provisioned or legacy link that has not been used yet.
    public var subject: String

    public init(id: Int64, provider: String, issuer: String, subject: String) {
        self.id = id
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
    }
}

/// An identity together with the user that holds it (query 1).
public struct IdentityWithOwner: Sendable, Equatable {
    public var identity: KnownIdentity
    public var user: KnownUser

    public init(identity: KnownIdentity, user: KnownUser) {
        self.identity = identity
        self.user = user
    }
}

/// A user that an attribute matched, with its identities of this provider (query 2). Identities
/// of other providers may be included; the engine ignores them.
public struct CandidateUser: Sendable, Equatable {
    public var user: KnownUser
    public var identities: [KnownIdentity]

    public init(user: KnownUser, identities: [KnownIdentity] = []) {
        self.user = user
        self.identities = identities
    }
}

/// A pre-provisioned or legacy identity of this provider with an empty subject, with its owner
/// and the owner's identities of this provider (query 3).
public struct UnclaimedIdentity: Sendable, Equatable {
    /// Its subject is empty; its issuer may be empty (a legacy link recorded no issuer).
    public var identity: KnownIdentity
    public var owner: CandidateUser

    public init(identity: KnownIdentity, owner: CandidateUser) {
        self.identity = identity
        self.owner = owner
    }
}
