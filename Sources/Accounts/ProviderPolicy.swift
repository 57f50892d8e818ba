/// One provider's account-linking policy: the config keys of issue 4 section 2.
///
/// Defaults are the safe ones. A policy value may be unsafe (the config decoder builds it before
/// validating): `guardViolations()` says why, and `LinkingEngine` refuses to link under it.
public struct ProviderPolicy: Sendable, Equatable {
    /// `user_matching_mode`.
    public var userMatchingMode: UserMatchingMode
    /// `multiple_identities`.
    public var multipleIdentities: MultipleIdentities
    /// `require_email_verified`: email linking needs the provider's `email_verified` to be true.
    /// The engine never links on an unverified email whatever this says; the guard refuses a
    /// linking policy that sets it to false, so the setting cannot silently weaken anything.
    public var requireEmailVerified: Bool
    /// `email_claim`: the claim that carries the email.
    public var emailClaim: String
    /// `email_claim_trusted`: the administrator asserts that a custom email claim is set by the
    /// provider's tenant, not by the user. A custom claim has no `email_verified` companion, so
    /// this trust is what makes it verified.
    public var emailClaimTrusted: Bool
    /// `email_verified_strings`: accept the string `"true"` some providers send.
    public var emailVerifiedStrings: Bool
    /// `username_claim`.
    public var usernameClaim: String
    /// `username_claim_trusted`: the administrator asserts the username claim is set by the tenant.
    public var usernameClaimTrusted: Bool
    /// `signups`: may a sign-in with no match create a user?
    public var signups: Bool
    /// `allowed_email_domains`: domains compared by their matching key (`MatchingKey.domain`);
    /// empty means any.
    public var allowedEmailDomains: [String]
    /// `accept_email_verified_by`: the other providers whose verification of a user's email
    /// this provider accepts when it links by email. An operator's verification and this
    /// provider's own always count; another provider's only when listed here (and config
    /// validation lets only providers that themselves require a verified email be listed).
    public var acceptEmailVerifiedBy: [String]
    /// `accept_username_verified_by`: the same for usernames. An operator's verification and this
    /// provider's own always count; another provider's or directory's only when listed here
    /// (and config validation lets only sources that trust their username claim be listed).
    public var acceptUsernameVerifiedBy: [String]

    /// The claim that carries a verified email when `email_claim` is the standard one.
    public static let standardEmailClaim = "email"
    /// The claim that says whether the standard email is verified.
    public static let emailVerifiedClaim = "email_verified"

    public init(
        userMatchingMode: UserMatchingMode = .identifier,
        multipleIdentities: MultipleIdentities = .deny,
        requireEmailVerified: Bool = true,
        emailClaim: String = ProviderPolicy.standardEmailClaim,
        emailClaimTrusted: Bool = false,
        emailVerifiedStrings: Bool = false,
        usernameClaim: String = "preferred_username",
        usernameClaimTrusted: Bool = false,
        signups: Bool = true,
        allowedEmailDomains: [String] = [],
        acceptEmailVerifiedBy: [String] = [],
        acceptUsernameVerifiedBy: [String] = []
    ) {
        self.userMatchingMode = userMatchingMode
        self.multipleIdentities = multipleIdentities
        self.requireEmailVerified = requireEmailVerified
        self.emailClaim = emailClaim
        self.emailClaimTrusted = emailClaimTrusted
        self.emailVerifiedStrings = emailVerifiedStrings
        self.usernameClaim = usernameClaim
        self.usernameClaimTrusted = usernameClaimTrusted
        self.signups = signups
        self.allowedEmailDomains = allowedEmailDomains
        self.acceptEmailVerifiedBy = acceptEmailVerifiedBy
        self.acceptUsernameVerifiedBy = acceptUsernameVerifiedBy
    }

    /// True when `email_claim` is a custom claim rather than the standard `email`.
    public var usesCustomEmailClaim: Bool { emailClaim != Self.standardEmailClaim }

    /// True when this provider's own verification of an email may stand for others that list
    /// it in `accept_email_verified_by`: it requires the standard claim's `email_verified`, or
    /// its custom claim is declared trusted.
    public var verifiesEmails: Bool {
        usesCustomEmailClaim ? emailClaimTrusted : requireEmailVerified
    }

    /// Whether a username `verifier` vouched for may be a target of `provider`'s username
    /// matching: an operator's, this provider's own, or one `accept_username_verified_by`
    /// lists.
    public func acceptsUsername(verifiedBy verifier: EmailVerifier, linkingFor provider: String) -> Bool {
        Self.accepts(verifier, linkingFor: provider, alsoFrom: acceptUsernameVerifiedBy)
    }

    /// Whether a user's email verified by `verifier` counts for this provider's email linking:
    /// an operator's or the person's own proof always, this provider's own, or a listed provider's.
    public func accepts(_ verifier: EmailVerifier, linkingFor provider: String) -> Bool {
        Self.accepts(verifier, linkingFor: provider, alsoFrom: acceptEmailVerifiedBy)
    }

    /// The one rule both lists follow: an operator's or the person's own proof, this provider's
    /// own verification, or that of a source in `listed`.
    private static func accepts(_ verifier: EmailVerifier, linkingFor provider: String, alsoFrom listed: [String]) -> Bool {
        switch verifier {
        case .administrator, .person: true
        case .provider(let slug): slug.utf8.elementsEqual(provider.utf8) || listed.contains(slug)
        }
    }
}
