extension LinkingEngine {
    /// Whether rule 2 would fill `pending`, an identity of `owner` still waiting for its first
    /// sign-in, when the person signs in through its source (`issuer`, under `policy`) with the
    /// owner's own email and username, each as verified as that source can make it.
    ///
    /// The unlink rule asks this, so an identity with no subject counts as a way in exactly when
    /// the engine would fill it: the question is put to `decide` itself, not to a copy of rule 2
    /// (review finding: a copy left out the custom email claim that is never verified, the
    /// domain allow-list and the issuer, and counted identities no sign-in could ever fill).
    public static func wouldFill(_ pending: KnownIdentity, of owner: CandidateUser, issuer: String, policy: ProviderPolicy) -> Bool {
        guard pending.subject.isEmpty else { return false }
        var claims: [String: ClaimValue] = [policy.usernameClaim: .string(owner.user.username)]
        if let email = owner.user.email {
            claims[policy.emailClaim] = .string(email)
            claims[ProviderPolicy.emailVerifiedClaim] = .bool(true)
        }
        // A subject no stored identity has: the sign-in is a first one, as a fill's is.
        guard let incoming = try? IncomingIdentity(provider: pending.provider, issuer: issuer, subject: "pending-fill-check", claims: claims)
        else { return false }
        let view = StoreView(unclaimed: [UnclaimedIdentity(identity: pending, owner: owner)])
        guard case .fillSubjectThenSignIn(let fill) = decide(identity: incoming, policy: policy, store: view) else { return false }
        return fill.identityID == pending.id
    }
}
