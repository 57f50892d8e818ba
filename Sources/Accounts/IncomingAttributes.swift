/// What the engine reads from an incoming identity's claims under a policy: the email and
/// username, and whether each may be trusted. Also what the integrator records on the identity
/// (the email and `email_verified` seen at sign-in).
public struct IncomingAttributes: Sendable, Equatable {
    /// The email claim as given (not normalised), when it is a non-blank JSON string.
    public let email: String?
    /// True when `email` is present and verified: on the standard claim, `email_verified` read
    /// strictly; on a custom claim, the administrator's `email_claim_trusted` (such a claim has no
    /// `email_verified`, and seed 004's Entra ID `upn` is set by the tenant).
    public let emailVerified: Bool
    /// The username claim as given, when it is a non-blank JSON string.
    public let username: String?
    /// True when `username` is present and the policy trusts the username claim.
    public let usernameVerified: Bool

    public init(identity: IncomingIdentity, policy: ProviderPolicy) {
        let email = identity.claims[policy.emailClaim]?.stringValue.flatMap { raw in
            Normalization.email(raw) == nil ? nil : raw
        }
        let username = identity.claims[policy.usernameClaim]?.stringValue.flatMap { raw in
            Normalization.username(raw) == nil ? nil : raw
        }
        self.email = email
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
        usernameVerified = username != nil && policy.usernameClaimTrusted
    }

    /// The email in comparison form.
    public var normalizedEmail: String? { email.flatMap(Normalization.email) }
    /// The username in comparison form.
    public var normalizedUsername: String? { username.flatMap(Normalization.username) }
}
