import Store

/// What can still sign a person in under the running configuration, for the one rule that an
/// unlink never leaves a user without a way in (`IdentityUnlinking`, and the account page's
/// buttons, which show only what the rule allows).
///
/// A stored password counts only while local passwords sign people in, and an identity only
/// while its provider is configured or its directory is in `login.password_order` (a directory
/// kept only for synchronisation signs nobody in). A review found a one-click lockout: with
/// `local_passwords` off, a password hash left from before still counted as a way in, so the
/// person's only working identity could be removed.
struct WaysToSignIn: Sendable {
    let localPasswords: Bool
    /// The slugs of the configured providers and of the directories people sign in to.
    let sources: Set<String>

    init(_ config: GatehouseConfig) {
        let directories = config.passwordSources.compactMap { source -> String? in
            if case .directory(let slug) = source { slug } else { nil }
        }
        self.init(localPasswords: config.passwordSources.contains(.local), sources: Set(config.providers.map(\.slug) + directories))
    }

    init(localPasswords: Bool, sources: Set<String>) {
        self.localPasswords = localPasswords
        self.sources = sources
    }

    /// Whether the user keeps a way in once the identity `identityID` of `held` is gone.
    func remain(afterRemoving identityID: Int64, from held: [IdentityRecord], hasPassword: Bool) -> Bool {
        (localPasswords && hasPassword) || held.contains { $0.id != identityID && sources.contains($0.provider) }
    }
}
