import Store

/// Why a signed-in person may not use a protected host; becomes a 403 and a log line.
enum ForwardAuthRefusal: Sendable, Equatable, CustomStringConvertible {
    /// Protected hosts are configured and the proxy named another one.
    case hostNotProtected
    /// `allowed_email_domains` is set and the user's verified email is missing or elsewhere (an
    /// unverified email counts as missing).
    case emailDomainNotAllowed
    /// One of `required_groups` is not among the session's groups.
    case missingGroup(String)

    var code: String {
        switch self {
        case .hostNotProtected: return "host_not_protected"
        case .emailDomainNotAllowed: return "email_domain_not_allowed"
        case .missingGroup: return "missing_group"
        }
    }

    /// Shown to the person; names the group (it is configuration, not a secret) but not the
    /// allowed domains.
    var message: String {
        switch self {
        case .hostNotProtected: return "this site is not one Gatehouse is configured to protect."
        case .emailDomainNotAllowed: return "your account's email domain is not allowed on this site."
        case .missingGroup(let group): return "this site requires membership of the group \"\(group)\"."
        }
    }

    var description: String { code }
}

/// A protected host's rules, applied to a forward-auth session.
enum ForwardAuthRules {
    /// The first rule `session` breaks at `host`, or nil when it may pass.
    static func refusal(of session: ForwardAuthSession, at host: ForwardAuthConfig.ProtectedHost) -> ForwardAuthRefusal? {
        if !host.allowedEmailDomains.allows(emailKey: session.verifiedEmailKey) { return .emailDomainNotAllowed }
        if !host.requiredGroups.isEmpty {
            let groups = session.groups
            for required in host.requiredGroups where !groups.contains(required) {
                return .missingGroup(required)
            }
        }
        return nil
    }
}
