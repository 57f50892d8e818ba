import Accounts
import Store

/// Reads what the store holds about one incoming identity, for `LinkingEngine.decide`.
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

        if let found = try identities.find(provider: identity.provider, issuer: identity.issuer, subject: identity.subject),
           let owner = try users.find(id: found.userID) {
            view.existing = IdentityWithOwner(identity: Self.known(found), user: Self.known(owner))
        }

        // Every user either attribute matches, whatever the mode: the engine picks. A query that
        // returns too much is harmless; one that misses a user could hide an ambiguity.
        var matched: [UserRecord] = []
        if let email = attributes.email { matched += try users.matching(email: email) }
        if let username = attributes.username { matched += try users.matching(username: username) }
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

        view.sameSubjectOtherIssuer = try identities
            .sameSubject(provider: identity.provider, subject: identity.subject, otherThanIssuer: identity.issuer)
            .map(Self.known)
        return view
    }

    static func known(_ user: UserRecord) -> KnownUser {
        KnownUser(
            id: user.id, isActive: user.isActive, email: user.email, emailVerified: user.emailVerified,
            username: user.username, usernameVerified: user.usernameVerified
        )
    }

    static func known(_ identity: IdentityRecord) -> KnownIdentity {
        KnownIdentity(id: identity.id, provider: identity.provider, issuer: identity.issuer, subject: identity.subject)
    }
}
