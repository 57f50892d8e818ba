import Accounts
import Store

/// What can still sign a person in under the running configuration, for the one rule that an
/// unlink never leaves a user without a way in (`IdentityUnlinking`, the account page's
/// buttons, which show only what the rule allows, and an operator's removal of a password).
///
/// A stored password counts only while local passwords sign people in, and an identity only
/// while its provider is configured or its directory is in `login.password_order` (a directory
/// kept only for synchronisation signs nobody in). A review found a one-click lockout: with
/// `local_passwords` off, a password hash left from before still counted as a way in, so the
/// person's only working identity could be removed.
///
/// An identity still waiting for its first sign-in (an operator's, with no subject) counts only
/// when that sign-in could fill it: the linking engine's rule 2 fills it for the user it matches
/// by an email or username verified by a source its provider accepts. A second review found a
/// user with no such attribute allowed to unlink their last working identity for one that
/// could never be filled: their next sign-in made a new account and orphaned theirs.
struct WaysToSignIn: Sendable {
    let localPasswords: Bool
    /// The linking policy of each configured provider and of each directory people sign in to.
    let policies: [String: ProviderPolicy]

    /// The slugs of the configured providers and of the directories people sign in to.
    var sources: Set<String> { Set(policies.keys) }

    init(_ config: GatehouseConfig) {
        let signInDirectories = Set(config.passwordSources.compactMap { source -> String? in
            if case .directory(let slug) = source { slug } else { nil }
        })
        var policies = Dictionary(config.providers.map { ($0.slug, $0.policy) }, uniquingKeysWith: { first, _ in first })
        for directory in config.directories where signInDirectories.contains(directory.slug) {
            policies[directory.slug] = directory.policy
        }
        self.init(localPasswords: config.passwordSources.contains(.local), policies: policies)
    }

    init(localPasswords: Bool, policies: [String: ProviderPolicy]) {
        self.localPasswords = localPasswords
        self.policies = policies
    }

    /// Whether `user` keeps a way in once the identity `identityID` of `held` is gone (nil: once
    /// the password is, which `hasPassword` false then says).
    func remain(afterRemoving identityID: Int64?, from held: [IdentityRecord], hasPassword: Bool, user: UserRecord) -> Bool {
        (localPasswords && hasPassword) || held.contains { $0.id != identityID && signsIn(user, through: $0) }
    }

    /// Whether `identity` signs `user` in: its source is configured, and it has a subject or
    /// rule 2 would give it one.
    private func signsIn(_ user: UserRecord, through identity: IdentityRecord) -> Bool {
        guard let policy = policies[identity.provider] else { return false }
        guard identity.subject.isEmpty else { return true }
        if let verifier = user.emailVerifiedBy, policy.accepts(verifier, linkingFor: identity.provider) { return true }
        if policy.usernameClaimTrusted, let verifier = user.usernameVerifiedBy,
           policy.acceptsUsername(verifiedBy: verifier, linkingFor: identity.provider) { return true }
        return false
    }
}
