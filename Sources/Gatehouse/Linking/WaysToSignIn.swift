import Accounts
import MatchingKeys
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
/// when that sign-in would fill it, which the linking engine itself answers
/// (`LinkingEngine.wouldFill`). A second review found a user with no verified email or username
/// allowed to unlink their last working identity for one that could never be filled: their next
/// sign-in made a new account and orphaned theirs.
struct WaysToSignIn: Sendable {
    /// What the engine needs to know of a source that signs people in.
    struct Source: Sendable {
        /// The issuer its sign-ins carry (a GitHub profile's is its web URL).
        let issuer: String
        let policy: ProviderPolicy
        /// It requires verified emails (or trusts its custom claim; a directory its
        /// `email_trusted`).
        let verifiesEmails: Bool
        /// The domains its verified addresses can be at (Google's `hosted_domains`); empty for any.
        let emailDomains: EmailDomainAllowList

        /// Whether it can vouch for the address whose stored key is `emailKey` at all.
        func canVerify(emailKey: String?) -> Bool {
            verifiesEmails && emailDomains.allows(emailKey: emailKey)
        }
    }

    let localPasswords: Bool
    /// Each configured provider and each directory people sign in to, by slug.
    let sources: [String: Source]

    init(_ config: GatehouseConfig) {
        let signInDirectories = Set(config.passwordSources.compactMap { source -> String? in
            if case .directory(let slug) = source { slug } else { nil }
        })
        var sources = Dictionary(config.providers.map { ($0.slug, Self.source(of: $0)) }, uniquingKeysWith: { first, _ in first })
        for directory in config.directories where signInDirectories.contains(directory.slug) {
            sources[directory.slug] = Source(
                issuer: directory.issuer, policy: directory.policy, verifiesEmails: directory.emailTrusted, emailDomains: EmailDomainAllowList([])
            )
        }
        self.init(localPasswords: config.passwordSources.contains(.local), sources: sources)
    }

    /// A provider as a source: review findings (a fourth round) on what a real sign-in through
    /// it could never carry.
    private static func source(of provider: ProviderConfig) -> Source {
        Source(
            issuer: provider.settings.quirks.gitHub?.web ?? provider.settings.issuer, policy: provider.policy,
            verifiesEmails: provider.policy.verifiesEmails, emailDomains: EmailDomainAllowList(provider.settings.quirks.hostedDomains)
        )
    }

    init(localPasswords: Bool, sources: [String: Source]) {
        self.localPasswords = localPasswords
        self.sources = sources
    }

    /// Whether `user` keeps a way in once the identity `identityID` of `held` is gone (nil: once
    /// the password is, which `hasPassword` false then says).
    func remain(afterRemoving identityID: Int64?, from held: [IdentityRecord], hasPassword: Bool, user: UserRecord) -> Bool {
        if localPasswords && hasPassword { return true }
        let kept = held.filter { $0.id != identityID }
        return kept.contains { signsIn(user, through: $0, holding: kept) }
    }

    /// Whether `identity` signs `user` in: its source is configured, and it has a subject or the
    /// engine's rule 2 would give it one.
    private func signsIn(_ user: UserRecord, through identity: IdentityRecord, holding held: [IdentityRecord]) -> Bool {
        guard let source = sources[identity.provider] else { return false }
        guard identity.subject.isEmpty else { return true }
        let owner = CandidateUser(
            user: StoreViewLoader.known(user),
            identities: held.filter { $0.provider == identity.provider }.map(StoreViewLoader.known)
        )
        return LinkingEngine.wouldFill(
            StoreViewLoader.known(identity), of: owner, issuer: source.issuer, policy: source.policy,
            emailCanBeVerified: source.canVerify(emailKey: user.emailKey)
        )
    }
}
