extension LinkingEngine {
    /// Whether rule 2 would fill `pending`, an identity of `owner` still waiting for its first
    /// sign-in, when the person signs in through its source (`issuer`, under `policy`) with the
    /// owner's own email, verified only when `emailCanBeVerified` (the source can vouch for that
    /// address at all), and the owner's own username. `owner.identities` are all the owner's
    /// identities of that source, other pending ones included (two make rule 2 ambiguous).
    ///
    /// The unlink rule asks this, so an identity with no subject counts as a way in exactly when
    /// the engine would fill it: the question is put to `decide` itself, not to a copy of rule 2
    /// (review finding: a copy left out the custom email claim that is never verified, the
    /// domain allow-list and the issuer, and counted identities no sign-in could ever fill).
    public static func wouldFill(
        _ pending: KnownIdentity, of owner: CandidateUser, issuer: String, policy: ProviderPolicy, emailCanBeVerified: Bool
    ) -> Bool {
        guard pending.subject.isEmpty else { return false }
        var claims: [String: ClaimValue] = [policy.usernameClaim: .string(owner.user.username)]
        if let email = owner.user.email {
            claims[policy.emailClaim] = .string(email)
            claims[ProviderPolicy.emailVerifiedClaim] = .bool(emailCanBeVerified)
        }
        // A subject no stored identity has: the sign-in is a first one, as a fill's is.
        guard let incoming = try? IncomingIdentity(provider: pending.provider, issuer: issuer, subject: "pending-fill-check", claims: claims)
        else { return false }
        let waiting = owner.identities.filter { $0.subject.isEmpty && sameBytes($0.provider, pending.provider) }
        let view = StoreView(unclaimed: (waiting.contains { $0.id == pending.id } ? waiting : waiting + [pending]).map {
            UnclaimedIdentity(identity: $0, owner: owner)
        })
        guard case .fillSubjectThenSignIn(let fill) = decide(identity: incoming, policy: policy, store: view) else { return false }
        return fill.identityID == pending.id
    }
}
