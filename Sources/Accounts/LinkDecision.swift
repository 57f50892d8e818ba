/// The one outcome of a sign-in, decided before anything is written (issue 4 section 3). Effects
/// follow in one transaction; each case carries exactly what those effects need, so an
/// impossible combination (say, a link without a user) cannot be written down.
public enum LinkDecision: Sendable, Equatable {
    /// Rule 1: the identity exists and its user is active.
    case signIn(SignIn)
    /// Rule 2: a pre-provisioned or legacy identity of this user gets its subject, once.
    case fillSubjectThenSignIn(FillSubject)
    /// Rule 3: a new identity for an existing user.
    case linkThenSignIn(Link)
    /// Rule 3: a new user and its first identity (link method `provisioned`).
    case createUserThenSignIn(NewUser)
    /// Any rule: refused, with the reason.
    case deny(DenyReason)

    public struct SignIn: Sendable, Equatable {
        public let userID: Int64
        public let identityID: Int64
        /// Write as the identity's last-seen email, `email_verified` and claims; update last use.
        public let updateSnapshot: IncomingAttributes
        public let rule: DecisionRule
    }

    public struct FillSubject: Sendable, Equatable {
        public let identityID: Int64
        public let userID: Int64
        /// Write the incoming issuer and subject, only where the subject is still empty
        /// (`… WHERE id = :id AND subject = ''`): zero rows changed means another sign-in won the
        /// race, and the caller decides again. A set subject is never overwritten.
        public let issuer: String
        public let subject: String
        public let snapshot: IncomingAttributes
        public let rule: DecisionRule
    }

    public struct Link: Sendable, Equatable {
        public let userID: Int64
        /// How the user was matched: the identity's link method.
        public let method: MatchAttribute
        /// True when the user already holds another identity of this provider and
        /// `multiple_identities` is `allow` (the broker case of seed 000).
        public let isFurtherIdentity: Bool
        public let snapshot: IncomingAttributes
        public let rule: DecisionRule
    }

    public struct NewUser: Sendable, Equatable {
        /// The username claim as given, if any. The store must make it unique; if it has to change
        /// it, `usernameVerified` no longer applies to the stored value.
        public let usernameCandidate: String?
        /// The email claim as given, if any; stored as given, matched normalised.
        public let email: String?
        /// Whether the new user's email is stored verified: it is verified as the provider said,
        /// and no other user already holds it verified. A verified address has one owner, as an
        /// operator's edits are held to (review finding: a provider this one does not accept for
        /// linking made a second user with someone's verified address, and forward-auth then
        /// told applications that this stranger was that address).
        public let emailVerified: Bool
        /// True when the provider verified the email but another user holds it verified, so it
        /// is stored unverified.
        public let emailVerificationWithheld: Bool
        /// True when the username came from a trusted claim.
        public let usernameVerified: Bool
        public let snapshot: IncomingAttributes
        public let rule: DecisionRule
    }

    /// The rule that fired, for the audit log.
    public var rule: DecisionRule {
        switch self {
        case .signIn(let signIn): signIn.rule
        case .fillSubjectThenSignIn(let fill): fill.rule
        case .linkThenSignIn(let link): link.rule
        case .createUserThenSignIn(let newUser): newUser.rule
        case .deny(let reason): reason.rule
        }
    }

    /// The deny reason, if this is a deny.
    public var denyReason: DenyReason? {
        if case .deny(let reason) = self { return reason }
        return nil
    }

    /// The decision's name for the audit log: `sign_in`, `fill_subject`, `link`, `create_user`, `deny`.
    public var name: String {
        switch self {
        case .signIn: "sign_in"
        case .fillSubjectThenSignIn: "fill_subject"
        case .linkThenSignIn: "link"
        case .createUserThenSignIn: "create_user"
        case .deny: "deny"
        }
    }
}
