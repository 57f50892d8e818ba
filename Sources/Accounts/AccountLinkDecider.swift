import MatchingKeys

/// `LinkingEngine.decideAccountLink`'s rules, in order; each outcome names its rule
/// (`account_page.<branch>`), like a sign-in's.
///
/// 1. The identity exists: this user's already (nothing to do) or another user's (refused, never
///    moved: `identity_owned_by_another_user`).
/// 2. The user is gone or disabled: `user_inactive`.
/// 3. The provider knows this subject under another issuer: `identity_conflict`, naming the
///    issuer change, as rule 5 of a sign-in.
/// 4. The user holds an identity of this provider and `multiple_identities` is `deny`:
///    `one_identity_per_user`.
/// 5. `allowed_email_domains` must admit the identity's verified email: `domain_not_allowed`.
struct AccountLinkDecider {
    let identity: IncomingIdentity
    let userID: Int64
    let policy: ProviderPolicy
    let store: AccountLinkView
    let seen: IncomingAttributes

    init(identity: IncomingIdentity, userID: Int64, policy: ProviderPolicy, store: AccountLinkView) {
        self.identity = identity
        self.userID = userID
        self.policy = policy
        self.store = store
        seen = IncomingAttributes(identity: identity, policy: policy)
    }

    func decide() -> AccountLinkDecision {
        if let existing = store.existing, identity.isSame(as: existing.identity) {
            guard existing.user.id == userID else {
                return deny(.identityOwnedByAnotherUser, "owned_by_another_user")
            }
            return .alreadyLinked(.init(
                userID: userID, identityID: existing.identity.id, snapshot: seen, rule: rule("already_linked")
            ))
        }
        guard let user = store.user, user.user.id == userID, user.user.isActive else {
            return deny(.userInactive, "user_inactive")
        }
        if let old = store.sameSubjectOtherIssuer.first(where: identity.hasSameSubjectOtherIssuer(as:)) {
            return .deny(DenyReason(.identityConflict, rule: rule("issuer_changed"), cause: .issuerChanged(previousIssuer: old.issuer)))
        }
        let held = user.identities.filter { sameBytes($0.provider, identity.provider) }
        if !held.isEmpty && policy.multipleIdentities == .deny {
            return deny(.oneIdentityPerUser, "one_identity_per_user")
        }
        guard EmailDomainAllowList(policy.allowedEmailDomains).allows(emailKey: seen.verifiedEmailKey) else {
            return deny(.domainNotAllowed, "domain_not_allowed")
        }
        return .link(.init(
            userID: userID, isFurtherIdentity: !held.isEmpty, snapshot: seen,
            rule: rule(held.isEmpty ? "first_link" : "further_identity")
        ))
    }

    private func rule(_ branch: String) -> DecisionRule { DecisionRule("account_page." + branch) }

    private func deny(_ code: DenyCode, _ branch: String) -> AccountLinkDecision {
        .deny(DenyReason(code, rule: rule(branch)))
    }
}
