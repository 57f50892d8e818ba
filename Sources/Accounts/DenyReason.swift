/// Why a sign-in or an account-page link is refused. Codes are the ones of issue 4 section 3,
/// `unsafe_policy` for the engine's own re-check of the policy guard, and the two refusals only
/// an account-page link meets.
public enum DenyCode: String, Sendable, Equatable, CaseIterable {
    case userInactive = "user_inactive"
    case signupDisabled = "signup_disabled"
    case noMatchingAccount = "no_matching_account"
    case ambiguousMatch = "ambiguous_match"
    case emailNotVerified = "email_not_verified"
    case accountNotVerified = "account_not_verified"
    case identityConflict = "identity_conflict"
    case accountExists = "account_exists"
    case domainNotAllowed = "domain_not_allowed"
    case unsafePolicy = "unsafe_policy"
    /// Account page: the identity belongs to another user; it is never moved silently.
    case identityOwnedByAnotherUser = "identity_owned_by_another_user"
    /// Account page: the user holds an identity of this provider and the provider allows one.
    case oneIdentityPerUser = "one_identity_per_user"
}

/// What lies behind a deny, when there is more to say than the code. For the audit log and the
/// operator; the person sees `DenyReason.message`.
public enum DenyCause: Sendable, Equatable {
    /// The user holds an identity of this provider with the same subject under another issuer:
    /// the provider's issuer changed (rule 5). `gatehouse identities rekey-issuer` fixes it.
    case issuerChanged(previousIssuer: String)
}

/// A refused sign-in: the code for the 403 page and the audit log, the rule that fired, and a
/// sentence for the person in plain words (what happened, what to do). No internal detail: the
/// message never names another user, an issuer URL, a subject or a claim value.
public struct DenyReason: Sendable, Equatable, CustomStringConvertible {
    public let code: DenyCode
    public let rule: DecisionRule
    public let message: String
    public let cause: DenyCause?

    init(_ code: DenyCode, rule: DecisionRule, cause: DenyCause? = nil) {
        self.code = code
        self.rule = rule
        self.cause = cause
        self.message = Self.message(for: code, cause: cause)
    }

    public var description: String { "\(code.rawValue) (\(rule.name))" }

    /// A local credential (a password) was right, but its user was disabled or removed before
    /// the sign-in could be completed.
    public static let localUserInactive = DenyReason(.userInactive, rule: DecisionRule("local.user_inactive"))

    /// The sentence a person reads on the 403 page for this code and cause.
    public static func message(for code: DenyCode, cause: DenyCause? = nil) -> String {
        switch (code, cause) {
        case (.identityConflict, .issuerChanged?):
            return "This sign-in provider changed its address since your account was linked to it, so your account "
                + "cannot be recognised safely. Ask an administrator to move your account to the provider's new address."
        case (.userInactive, _):
            return "Your account is disabled. Ask an administrator to enable it."
        case (.signupDisabled, _):
            return "There is no account for you here and new accounts cannot be created with this provider. "
                + "Ask an administrator for an account."
        case (.noMatchingAccount, _):
            return "No account here matches this sign-in and new accounts cannot be created with this provider. "
                + "Ask an administrator for an account, or sign in another way."
        case (.ambiguousMatch, _):
            return "More than one account here matches this sign-in, so none was chosen. "
                + "Sign in another way and link this provider from your account page, or ask an administrator."
        case (.emailNotVerified, _):
            return "Your email address is not verified at this sign-in provider. "
                + "Verify it there, then sign in again."
        case (.accountNotVerified, _):
            return "An account here matches this sign-in, but its own address is not verified, so it cannot be linked "
                + "automatically. Sign in to that account another way and link this provider from your account page."
        case (.identityConflict, _):
            return "The matching account is already linked to a different account at this sign-in provider. "
                + "Sign in with that account, or ask an administrator."
        case (.accountExists, _):
            return "An account with your details already exists here. Sign in to it another way and link this "
                + "provider from your account page."
        case (.domainNotAllowed, _):
            return "Sign-in with this provider is limited to verified email addresses of certain domains, "
                + "and yours is not one of them. Use an allowed address or ask an administrator."
        case (.identityOwnedByAnotherUser, _):
            return "This account at the provider is already linked to another user here, so it was not added to yours. "
                + "Sign in with it to use that user, or ask an administrator to move it."
        case (.oneIdentityPerUser, _):
            return "Your account already has an account at this provider linked, and only one is allowed. "
                + "Unlink the old one first if you want to replace it."
        case (.unsafePolicy, _):
            return "Sign-in with this provider is turned off because its settings are unsafe. "
                + "Please tell an administrator."
        }
    }
}
