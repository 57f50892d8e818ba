/// How a provider's sign-in without a known identity is matched to existing users
/// (`user_matching_mode`, issue 4 section 2). Raw values are the config strings.
public enum UserMatchingMode: String, Sendable, Equatable, CaseIterable {
    /// Never match: an unknown identity creates a user (if signups are on).
    case identifier
    /// Link to the one user whose verified email equals the provider's verified email.
    case emailLink = "email_link"
    /// Refuse a sign-in whose email belongs to a user already: they link from the account page.
    case emailDeny = "email_deny"
    /// Link to the one user whose verified username equals the provider's trusted username.
    case usernameLink = "username_link"
    /// Refuse a sign-in whose username belongs to a user already.
    case usernameDeny = "username_deny"

    /// The attribute this mode compares, if it compares one.
    public var matchAttribute: MatchAttribute? {
        switch self {
        case .identifier: nil
        case .emailLink, .emailDeny: .email
        case .usernameLink, .usernameDeny: .username
        }
    }

    /// True for the modes that may link an identity to an existing user by themselves.
    public var links: Bool { self == .emailLink || self == .usernameLink }
}

/// The user attribute a matching mode compares, and so how an identity was linked.
/// The integrator maps it to the store's link method (`email`, `username`).
public enum MatchAttribute: String, Sendable, Equatable, CaseIterable {
    case email
    case username
}
