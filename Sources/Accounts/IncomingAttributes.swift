import MatchingKeys

/// What the engine reads from an incoming identity's claims under a policy: the email and
/// username, whether each may be trusted, and their matching keys, computed here once
/// (`MatchingKey`) and compared byte for byte wherever they are used. Also what the
/// integrator records on the identity (the email and `email_verified` seen at sign-in).
public struct IncomingAttributes: Sendable, Equatable {
    /// The email claim as given, when it is a non-blank JSON string.
    public let email: String?
    /// True when `email` is present and verified: on the standard claim, `email_verified` read
    /// strictly; on a custom claim, the administrator's `email_claim_trusted` (such a claim has no
    /// `email_verified`, and seed 004's Entra ID `upn` is set by the tenant).
    public let emailVerified: Bool
    /// The email's matching key; nil when it has none (then it matches nobody and no allow-list
    /// allows it).
    public let emailKey: String?
    /// The username claim as given, when it is a non-blank JSON string.
    public let username: String?
    /// True when `username` is present and the policy trusts the username claim.
    public let usernameVerified: Bool
    /// The username's matching key, or nil.
    public let usernameKey: String?

    public init(identity: IncomingIdentity, policy: ProviderPolicy) {
        let email = identity.claims[policy.emailClaim]?.stringValue.flatMap(Self.nonBlank)
        let username = identity.claims[policy.usernameClaim]?.stringValue.flatMap(Self.nonBlank)
        self.email = email
        emailKey = email.flatMap(MatchingKey.email)
        if email == nil {
            emailVerified = false
        } else if policy.usesCustomEmailClaim {
            emailVerified = policy.emailClaimTrusted
        } else {
            emailVerified = EmailVerification.interpret(
                identity.claims[ProviderPolicy.emailVerifiedClaim], acceptStrings: policy.emailVerifiedStrings
            )
        }
        self.username = username
        usernameKey = username.flatMap(MatchingKey.username)
        usernameVerified = username != nil && policy.usernameClaimTrusted
    }

    /// The email's key when the email is verified: the only form of it that may decide anything
    /// (a link, a domain allow-list).
    public var verifiedEmailKey: String? { emailVerified ? emailKey : nil }

    /// The text itself unless it is empty or only ASCII whitespace.
    private static func nonBlank(_ text: String) -> String? {
        text.utf8.allSatisfy { $0 == 0x20 || (0x09...0x0D).contains($0) } ? nil : text
    }
}
