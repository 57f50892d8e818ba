import Accounts
import Store

/// Reads what the store holds about one incoming identity, for `LinkingEngine`.
///
/// Run inside the transaction that carries the decision out (a write transaction begins
/// IMMEDIATE, so no other writer can change these rows between the read and the write), or in
/// a read transaction for `simulate-login`, which writes nothing.
struct StoreViewLoader {
    let connection: Connection

    func load(_ identity: IncomingIdentity, attributes: IncomingAttributes) throws(StoreError) -> StoreView {
        let users = UserRepository(connection)
        let identities = IdentityRepository(connection)
        var view = StoreView()
        view.existing = try existing(identity)

        // Every user either key matches, whatever the mode: the engine picks. A query that
        // returns too much is harmless; one that misses a user could hide an ambiguity.
        var matched: [UserRecord] = []
        if let key = attributes.emailKey { matched += try users.matching(emailKey: key) }
        if let key = attributes.usernameKey { matched += try users.matching(usernameKey: key) }
        var seen = Set<Int64>()
        for user in matched where seen.insert(user.id).inserted {
            let own = try identities.list(userID: user.id, provider: identity.provider).map(Self.known)
            let candidate = CandidateUser(user: Self.known(user), identities: own)
            view.candidates.append(candidate)
            // Rule 2 fills only an empty-subject identity whose owner this sign-in matches, so the
            // candidates' own empty subjects are all the unclaimed identities that can matter.
            for waiting in own where waiting.subject.isEmpty {
                view.unclaimed.append(UnclaimedIdentity(identity: waiting, owner: candidate))
            }
        }
        view.sameSubjectOtherIssuer = try sameSubjectOtherIssuer(identity)
        return view
    }

    /// What a link of (provider, issuer, subject) to `userID` needs: an account-page link, or an
    /// operator's (whose subject may be empty).
    func loadAccountLink(provider: String, issuer: String, subject: String, userID: Int64) throws(StoreError) -> AccountLinkView {
        var view = AccountLinkView()
        view.existing = try existing(provider: provider, issuer: issuer, subject: subject)
        if let user = try UserRepository(connection).find(id: userID) {
            let own = try IdentityRepository(connection).list(userID: userID, provider: provider).map(Self.known)
            view.user = CandidateUser(user: Self.known(user), identities: own)
        }
        view.sameSubjectOtherIssuer = try IdentityRepository(connection)
            .sameSubject(provider: provider, subject: subject, otherThanIssuer: issuer)
            .map(Self.known)
        return view
    }

    private func existing(_ identity: IncomingIdentity) throws(StoreError) -> IdentityWithOwner? {
        try existing(provider: identity.provider, issuer: identity.issuer, subject: identity.subject)
    }

    private func existing(provider: String, issuer: String, subject: String) throws(StoreError) -> IdentityWithOwner? {
        guard let found = try IdentityRepository(connection).find(provider: provider, issuer: issuer, subject: subject),
              let owner = try UserRepository(connection).find(id: found.userID) else { return nil }
        return IdentityWithOwner(identity: Self.known(found), user: Self.known(owner))
    }

    private func sameSubjectOtherIssuer(_ identity: IncomingIdentity) throws(StoreError) -> [KnownIdentity] {
        try IdentityRepository(connection)
            .sameSubject(provider: identity.provider, subject: identity.subject, otherThanIssuer: identity.issuer)
            .map(Self.known)
    }

    static func known(_ user: UserRecord) -> KnownUser {
        KnownUser(
            id: user.id, isActive: user.isActive, email: user.email, emailKey: user.emailKey, emailVerifiedBy: user.emailVerifiedBy,
            username: user.username, usernameKey: user.usernameKey, usernameVerifiedBy: user.usernameVerifiedBy
        )
    }

    static func known(_ identity: IdentityRecord) -> KnownIdentity {
        KnownIdentity(id: identity.id, provider: identity.provider, issuer: identity.issuer, subject: identity.subject)
    }
}
