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
    /// `allowed_email_domains`: exact domains after normalisation; empty means any.
    public var allowedEmailDomains: [String]

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
        allowedEmailDomains: [String] = []
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
    }

    /// True when `email_claim` is a custom claim rather than the standard `email`.
    public var usesCustomEmailClaim: Bool { emailClaim != Self.standardEmailClaim }
}
