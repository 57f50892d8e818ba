import MatchingKeys

/// The account-linking decision of issue 4 section 3, as a pure function: the same identity,
/// policy and store view always give the same decision, and nothing is read or written here.
///
/// The rules, in the order they are tried:
/// 1. The identity with this (provider, issuer, subject) exists: sign in its user, if the user
///    is active and the provider's `allowed_email_domains` still admits the identity's email as
///    verified now (both can change after the link was made).
/// - The policy guard is re-checked: an unsafe policy denies `unsafe_policy`, never links.
/// 2. A pre-provisioned or legacy identity of this provider (empty subject) belongs to the user
///    this sign-in matches by a verified attribute: fill its subject once and sign in.
/// 3. Otherwise the provider's `user_matching_mode` decides (link, create, or deny).
/// 4. `allowed_email_domains` is checked before any link, fill or creation.
/// 5. A subject this provider knows under another issuer is never given a fresh account: the
///    issuer changed, and the person is denied `identity_conflict` with that cause.
///
/// Emails and usernames are compared by their matching keys (`MatchingKey`), byte for byte:
/// the incoming key computed once in `IncomingAttributes`, the stored key as the database holds
/// it. A user's email takes part in email matching only when it is verified by a source this
/// provider accepts (`ProviderPolicy.accepts`): an unverified address, or one only an untrusted
/// provider vouched for, never becomes a link target and never stands in the way of the
/// address's real owner (no `ambiguous_match`, no `account_exists` because of it).
public enum LinkingEngine {
    public static func decide(identity: IncomingIdentity, policy: ProviderPolicy, store: StoreView) -> LinkDecision {
        Decider(identity: identity, policy: policy, store: store).decide()
    }

    /// The account page's "link another provider": the signed-in person adds this identity to
    /// their own user. No matching happens (they chose the user by signing in to it), but
    /// every rule that is not about matching holds as at a sign-in: an identity never moves
    /// between users, `multiple_identities` holds, the user must be active, and
    /// `allowed_email_domains` must admit the identity's verified email.
    public static func decideAccountLink(
        identity: IncomingIdentity, userID: Int64, policy: ProviderPolicy, store: AccountLinkView
    ) -> AccountLinkDecision {
        AccountLinkDecider(identity: identity, userID: userID, policy: policy, store: store).decide()
    }

    /// An operator gives a user an identity, with its subject or pre-provisioned with an empty
    /// one. The operator chose the user, so no matching happens; every rule that keeps the store
    /// sound holds as at a sign-in: an identity never moves between users, the user must be
    /// active, the policy must pass the guard, an issuer change is not papered over, and
    /// `multiple_identities` holds.
    public static func decideOperatorLink(
        _ request: OperatorLinkRequest, policy: ProviderPolicy, store: AccountLinkView
    ) -> OperatorLinkDecision {
        OperatorLinkDecider(request: request, policy: policy, store: store).decide()
    }
}

/// One decision's inputs, so the rules below read as a list rather than a parameter soup.
private struct Decider {
    let identity: IncomingIdentity
    let policy: ProviderPolicy
    let store: StoreView
    let seen: IncomingAttributes

    init(identity: IncomingIdentity, policy: ProviderPolicy, store: StoreView) {
        self.identity = identity
        self.policy = policy
        self.store = store
        self.seen = IncomingAttributes(identity: identity, policy: policy)
    }

    func decide() -> LinkDecision {
        if let decision = signInExistingIdentity() { return decision }
        // Everything below may bind this identity to a user. Config validation and the database
        // already refuse an unsafe policy; this is the last layer (seed 004: every layer holds).
        if let violation = policy.guardViolations().first {
            return deny(.unsafePolicy, DecisionRule("guard.\(violation.code.rawValue)"))
        }
        if let decision = fillUnclaimedIdentity() { return decision }
        return matchByMode()
    }

    // MARK: Rule 1

    private func signInExistingIdentity() -> LinkDecision? {
        guard let existing = store.existing, identity.isSame(as: existing.identity) else { return nil }
        guard existing.user.isActive else {
            return deny(.userInactive, DecisionRule("1.identity_exists.user_inactive"))
        }
        // The allow-list may have been set, or the provider's account may have changed its
        // address, since the link was made: the link alone is no reason to let it in now.
        if !isDomainAllowed() {
            return deny(.domainNotAllowed, DecisionRule("1.identity_exists.domain_not_allowed"))
        }
        return .signIn(.init(
            userID: existing.user.id, identityID: existing.identity.id, updateSnapshot: seen,
            rule: DecisionRule("1.identity_exists.sign_in")
        ))
    }

    // MARK: Rule 2

    /// Rule 2, "an identity of this provider for the same user exists with an empty subject".
    /// The incoming identity has no user yet, so "the same user" is the owner of an empty-subject
    /// identity whom this sign-in matches by a verified attribute: the incoming email is verified
    /// and equals the owner's verified email, or the incoming username comes from a trusted claim
    /// and equals the owner's verified username. This is seed 001's legacy path (the user found
    /// by email, the link's subject empty, then backfilled), held to the bar of a first-time link:
    /// filling a subject binds it for good. It applies in every matching mode, because an
    /// administrator who pre-provisioned the identity already chose the user. The identity's
    /// issuer must be empty (a legacy link) or this issuer.
    private func fillUnclaimedIdentity() -> LinkDecision? {
        var seenIDs = Set<Int64>()
        let fillable = store.unclaimed.filter { unclaimed in
            unclaimed.identity.subject.isEmpty
                && sameBytes(unclaimed.identity.provider, identity.provider)
                && (unclaimed.identity.issuer.isEmpty || sameBytes(unclaimed.identity.issuer, identity.issuer))
                && matchesByVerifiedAttribute(unclaimed.owner.user)
                && seenIDs.insert(unclaimed.identity.id).inserted
        }
        guard let target = fillable.first else { return nil }
        guard fillable.count == 1 else {
            return deny(.ambiguousMatch, DecisionRule("2.empty_subject.ambiguous"))
        }
        let owner = target.owner
        guard owner.user.isActive else {
            return deny(.userInactive, DecisionRule("2.empty_subject.user_inactive"))
        }
        let others = identitiesOfThisProvider(owner).filter { $0.id != target.identity.id && !$0.subject.isEmpty }
        if !others.isEmpty && policy.multipleIdentities == .deny {
            return conflict(with: others, rule: DecisionRule("2.empty_subject.other_identity"))
        }
        if let refused = domainRefusal() { return refused }
        return .fillSubjectThenSignIn(.init(
            identityID: target.identity.id, userID: owner.user.id, issuer: identity.issuer,
            subject: identity.subject, snapshot: seen, rule: DecisionRule("2.empty_subject.fill")
        ))
    }

    private func matchesByVerifiedAttribute(_ user: KnownUser) -> Bool {
        if seen.emailVerified, holdsAcceptedEmail(user) { return true }
        if seen.usernameVerified, holdsAcceptedUsernameVerification(user), holdsUsername(user) { return true }
        return false
    }

    // MARK: Rule 3

    private func matchByMode() -> LinkDecision {
        let mode = policy.userMatchingMode
        switch mode {
        case .identifier:
            return createUser(noSignupCode: .signupDisabled, signup: .matching(mode, "signup"),
                              signupsOff: .matching(mode, "signups_off"))
        case .emailDeny, .usernameDeny:
            if let refused = issuerChangeRefusal() { return refused }
            if !candidates(matching: mode).isEmpty {
                return deny(.accountExists, .matching(mode, "match"))
            }
            return createUser(noSignupCode: .signupDisabled, signup: .matching(mode, "no_match.signup"),
                              signupsOff: .matching(mode, "no_match.signups_off"))
        case .emailLink, .usernameLink:
            return link(mode)
        }
    }

    /// `email_link` and `username_link`.
    private func link(_ mode: UserMatchingMode) -> LinkDecision {
        let attribute: MatchAttribute = mode == .emailLink ? .email : .username
        let matches = candidates(matching: mode)
        guard let candidate = matches.first else {
            return createUser(noSignupCode: .noMatchingAccount, signup: .matching(mode, "no_match.signup"),
                              signupsOff: .matching(mode, "no_match.signups_off"))
        }
        guard matches.count == 1 else {
            return deny(.ambiguousMatch, .matching(mode, "ambiguous"))
        }
        switch attribute {
        case .email:
            // The candidate's address is verified by an accepted source (or it would not be one);
            // the incoming one must be verified too, and no second account is made for it.
            guard seen.emailVerified else {
                return deny(.emailNotVerified, .matching(mode, "one_match.email_not_verified"))
            }
        case .username:
            // The guard has established that the username claim is trusted. Usernames are unique
            // handles, so an unverified holder does stand in the way: an operator must decide.
            guard holdsAcceptedUsernameVerification(candidate.user) else {
                return deny(.accountNotVerified, .matching(mode, "one_match.account_not_verified"))
            }
        }
        guard candidate.user.isActive else {
            return deny(.userInactive, .matching(mode, "one_match.user_inactive"))
        }
        let held = identitiesOfThisProvider(candidate)
        if held.contains(where: identity.isSame(as:)) {
            // Query 1 should have found it: the store view contradicts itself, so do nothing.
            return deny(.identityConflict, .matching(mode, "one_match.inconsistent_store_view"))
        }
        if !held.isEmpty {
            guard policy.multipleIdentities == .allow else {
                let rule: DecisionRule = held.contains(where: identity.hasSameSubjectOtherIssuer(as:))
                    ? .matching(mode, "one_match.issuer_changed") : .matching(mode, "one_match.other_subject")
                return conflict(with: held, rule: rule)
            }
        }
        if let refused = domainRefusal() { return refused }
        return .linkThenSignIn(.init(
            userID: candidate.user.id, method: attribute, isFurtherIdentity: !held.isEmpty, snapshot: seen,
            rule: .matching(mode, held.isEmpty ? "one_match.first_link" : "one_match.further_identity")
        ))
    }

    /// The users this mode compares with, each once: for email modes, the users holding the
    /// incoming email's key verified by a source this provider accepts (whether the incoming
    /// email is verified is judged after counting); for username modes, every user holding the
    /// incoming username's key (usernames are unique handles, verified or not).
    private func candidates(matching mode: UserMatchingMode) -> [CandidateUser] {
        var seenIDs = Set<Int64>()
        return store.candidates.filter { candidate in
            let matched: Bool
            switch mode.matchAttribute {
            case .email?: matched = holdsAcceptedEmail(candidate.user)
            case .username?: matched = holdsUsername(candidate.user)
            case nil: matched = false
            }
            return matched && seenIDs.insert(candidate.user.id).inserted
        }
    }

    /// The user's stored email key is the incoming one, byte for byte, and a source this provider
    /// accepts verified it.
    private func holdsAcceptedEmail(_ user: KnownUser) -> Bool {
        guard let verifier = verifierOfIncomingEmail(held: user) else { return false }
        return policy.accepts(verifier, linkingFor: identity.provider)
    }

    /// Who verified `user`'s email, when its stored key is the incoming email's, byte for byte;
    /// nil when it is another address or not verified.
    private func verifierOfIncomingEmail(held user: KnownUser) -> EmailVerifier? {
        guard let incoming = seen.emailKey, let stored = user.emailKey, sameBytes(stored, incoming) else { return nil }
        return user.emailVerifiedBy
    }

    /// The user's username is verified by a source this provider accepts (`acceptsUsername`).
    private func holdsAcceptedUsernameVerification(_ user: KnownUser) -> Bool {
        guard let verifier = user.usernameVerifiedBy else { return false }
        return policy.acceptsUsername(verifiedBy: verifier, linkingFor: identity.provider)
    }

    private func holdsUsername(_ user: KnownUser) -> Bool {
        guard let incoming = seen.usernameKey, let stored = user.usernameKey else { return false }
        return sameBytes(stored, incoming)
    }

    private func createUser(noSignupCode: DenyCode, signup: DecisionRule, signupsOff: DecisionRule) -> LinkDecision {
        if let refused = issuerChangeRefusal() { return refused }
        guard policy.signups else { return deny(noSignupCode, signupsOff) }
        if let refused = domainRefusal() { return refused }
        let withheld = seen.emailVerified && emailHeldVerifiedByAnyone()
        return .createUserThenSignIn(.init(
            usernameCandidate: seen.username, email: seen.email, emailVerified: seen.emailVerified && !withheld,
            emailVerificationWithheld: withheld, usernameVerified: seen.usernameVerified, snapshot: seen, rule: signup
        ))
    }

    /// Whether some user holds the incoming email's key verified, by any source, accepted by
    /// this provider or not: the address already has its one verified owner.
    private func emailHeldVerifiedByAnyone() -> Bool {
        store.candidates.contains { verifierOfIncomingEmail(held: $0.user) != nil }
    }

    // MARK: Rules 4 and 5

    /// Rule 4. A non-empty allow-list needs a verified email: the domain of an address nobody
    /// proved to own says nothing about who is signing in.
    private func domainRefusal() -> LinkDecision? {
        isDomainAllowed() ? nil : deny(.domainNotAllowed, DecisionRule("4.domain_not_allowed"))
    }

    private func isDomainAllowed() -> Bool {
        EmailDomainAllowList(policy.allowedEmailDomains).allows(emailKey: seen.verifiedEmailKey)
    }

    /// Rule 5, before any new user: this provider knows the subject under another issuer.
    private func issuerChangeRefusal() -> LinkDecision? {
        guard let old = store.sameSubjectOtherIssuer.first(where: identity.hasSameSubjectOtherIssuer(as:)) else { return nil }
        return deny(.identityConflict, DecisionRule("5.issuer_changed"), cause: .issuerChanged(previousIssuer: old.issuer))
    }

    /// `identity_conflict`, naming the issuer change when one of the held identities is this
    /// subject under another issuer.
    private func conflict(with held: [KnownIdentity], rule: DecisionRule) -> LinkDecision {
        let cause = held.first(where: identity.hasSameSubjectOtherIssuer(as:)).map { DenyCause.issuerChanged(previousIssuer: $0.issuer) }
        return deny(.identityConflict, rule, cause: cause)
    }

    // MARK: Helpers

    private func identitiesOfThisProvider(_ candidate: CandidateUser) -> [KnownIdentity] {
        var seenIDs = Set<Int64>()
        return candidate.identities.filter { sameBytes($0.provider, identity.provider) && seenIDs.insert($0.id).inserted }
    }

    private func deny(_ code: DenyCode, _ rule: DecisionRule, cause: DenyCause? = nil) -> LinkDecision {
        .deny(DenyReason(code, rule: rule, cause: cause))
    }
}

/// Keys compare byte for byte, as the database does: Swift's `==` on strings treats canonically
/// equivalent text as equal, which would let two different subjects collide.
func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.elementsEqual(rhs.utf8)
}
