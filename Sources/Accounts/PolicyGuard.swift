/// A reason a provider policy may not be saved or used: the combinations that enabled the
/// account takeovers of seeds 001 and 004.
public struct PolicyGuardViolation: Sendable, Equatable, CustomStringConvertible {
    /// Stable codes, for tests, logs and the `unsafe_policy` rule name.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// `email_link` on the standard `email` claim without `require_email_verified`.
        case emailLinkRequiresVerifiedEmail = "email_link_requires_verified_email"
        /// `email_link` on a custom email claim that the administrator has not declared trusted.
        case emailLinkRequiresTrustedClaim = "email_link_requires_trusted_email_claim"
        /// `username_link` on a username claim that the administrator has not declared trusted.
        case usernameLinkRequiresTrustedClaim = "username_link_requires_trusted_username_claim"
    }

    /// The config key to change, as it appears in the provider object (the caller prefixes the
    /// provider's JSON path, e.g. `providers[2].require_email_verified`).
    public let key: String
    public let code: Code
    /// Why the combination is refused: the takeover it would allow.
    public let reason: String

    public var description: String { "\(key): \(reason)" }
}

/// Advice about a policy that is allowed but rests on the administrator's word.
public struct PolicyWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// A custom email claim is declared trusted.
        case trustedCustomEmailClaim = "trusted_custom_email_claim"
        /// The username claim is declared trusted.
        case trustedUsernameClaim = "trusted_username_claim"
        /// `email_link` with `multiple_identities: allow`: a further subject is linked by email alone.
        case emailLinksFurtherSubjects = "email_links_further_subjects"
    }

    public let key: String
    public let code: Code
    public let message: String

    public var description: String { "\(key): \(message)" }
}

extension ProviderPolicy {
    /// The guard of issue 4 section 2. Empty means the policy is safe to save and to link under.
    ///
    /// Config validation reports these with their JSON path, the database refuses them with a
    /// CHECK constraint, and `LinkingEngine` checks them again before any link (defence in depth:
    /// seed 004's guard had to hold in every layer, because each layer could be bypassed alone).
    public func guardViolations() -> [PolicyGuardViolation] {
        var violations: [PolicyGuardViolation] = []
        if userMatchingMode == .emailLink {
            if !usesCustomEmailClaim && !requireEmailVerified {
                violations.append(PolicyGuardViolation(
                    key: "require_email_verified",
                    code: .emailLinkRequiresVerifiedEmail,
                    reason: "email_link must require a verified email: otherwise anyone who can put someone else's "
                        + "address in their provider account, without proving they own it, is signed in to that person's account."
                ))
            }
            if usesCustomEmailClaim && !emailClaimTrusted {
                violations.append(PolicyGuardViolation(
                    key: "email_claim_trusted",
                    code: .emailLinkRequiresTrustedClaim,
                    reason: "email_link on the custom claim \"\(emailClaim)\" needs email_claim_trusted: the claim has no "
                        + "email_verified, so unless the provider's administrator sets it, a user who types someone else's "
                        + "address into it takes over that person's account."
                ))
            }
        }
        if userMatchingMode == .usernameLink && !usernameClaimTrusted {
            violations.append(PolicyGuardViolation(
                key: "username_claim_trusted",
                code: .usernameLinkRequiresTrustedClaim,
                reason: "username_link needs username_claim_trusted: if users choose their own \"\(usernameClaim)\", "
                    + "anyone who picks someone else's username is signed in to that person's account."
            ))
        }
        return violations
    }

    /// Allowed settings that are safe only under a condition the configuration cannot check.
    /// `check-config` prints them.
    public func warnings() -> [PolicyWarning] {
        var warnings: [PolicyWarning] = []
        if usesCustomEmailClaim && emailClaimTrusted {
            warnings.append(PolicyWarning(
                key: "email_claim_trusted",
                code: .trustedCustomEmailClaim,
                message: "the custom email claim \"\(emailClaim)\" is trusted: this is safe only when the provider's "
                    + "administrator, not the user, sets it (for example Entra ID's upn in a managed tenant)."
            ))
        }
        if usernameClaimTrusted {
            warnings.append(PolicyWarning(
                key: "username_claim_trusted",
                code: .trustedUsernameClaim,
                message: "the username claim \"\(usernameClaim)\" is trusted: this is safe only when the provider's "
                    + "administrator, not the user, sets it."
            ))
        }
        if userMatchingMode == .emailLink && multipleIdentities == .allow {
            // Review finding: seed 001's fix refuses a second subject on an account; this lets one in by email.
            warnings.append(PolicyWarning(
                key: "multiple_identities",
                code: .emailLinksFurtherSubjects,
                message: "with email_link, allow links a further subject of this source to an account that already has one, "
                    + "by email alone (a recycled address is another person): meant for brokers such as CILogon."
            ))
        }
        return warnings
    }
}
