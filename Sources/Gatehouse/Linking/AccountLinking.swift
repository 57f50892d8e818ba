import Accounts
import Store

/// Carries out account linking for verified sign-ins and for the account page's "link another
/// provider": reads the store, asks the pure `LinkingEngine` for a decision, and writes its
/// effects together with the decision's explanation (`link_decisions`) and audit entries, all in
/// ONE write transaction. Both paths decide in the engine; neither writes a link of its own.
///
/// The transaction begins IMMEDIATE, so concurrent first sign-ins of one new identity are
/// serialized: the first creates the user and the link, each later one reads them and signs in
/// (issue 4 rule 6). No decision ever attempts an insert the schema would refuse.
struct AccountLinking: Sendable {
    let database: Database
    /// Each configured provider's policy, by slug.
    let policies: [String: ProviderPolicy]
    /// Names a user made at a first sign-in may not take from an untrusted claim.
    var reservedUsernames = ReservedUsernames()

    /// A sign-in the OIDC layer has verified, with what is stored beside the identity.
    struct VerifiedSignIn: Sendable {
        let identity: IncomingIdentity
        /// The merged claims as a JSON object text: the identity's snapshot.
        let claimsJSON: String
        /// The `name` claim, for a new user's display name.
        let displayName: String?
        /// The upstream identity provider a broker names (CILogon's `idp`), kept on the identity.
        var upstreamIdP: String? = nil
    }

    enum Outcome: Sendable, Equatable {
        /// The person is signed in as this user, through this identity; `decision` says which
        /// rule got there.
        case signedIn(userID: Int64, identityID: Int64, decision: LinkDecision)
        case denied(DenyReason)
    }

    /// Thrown when a provider has no policy: a configuration the app was not started with.
    struct UnknownProvider: Error, CustomStringConvertible {
        let slug: String
        var description: String { "no linking policy for provider \(slug)" }
    }

    /// Decides and acts for one sign-in. Store failures are thrown (the caller shows a
    /// "try again" page); every refusal is an `Outcome.denied`, recorded like any decision.
    func signIn(_ signIn: VerifiedSignIn, requestID: String, now: Int64) throws -> Outcome {
        try database.write { connection in try self.signIn(signIn, requestID: requestID, now: now, in: connection) }
    }

    /// Like `signIn(_:requestID:now:)`, inside the caller's write transaction (which must have
    /// begun IMMEDIATE, as `Database.write` does), so the caller can store what follows from
    /// the decision, such as the session, in the same commit.
    func signIn(_ signIn: VerifiedSignIn, requestID: String, now: Int64, in connection: Connection) throws -> Outcome {
        guard let policy = policies[signIn.identity.provider] else { throw UnknownProvider(slug: signIn.identity.provider) }
        let attributes = IncomingAttributes(identity: signIn.identity, policy: policy)
        // A fill that changes no row means the view went stale; decide again on a fresh one.
        // Under the IMMEDIATE transaction that cannot happen, so the second pass is a guard.
        for _ in 0..<2 {
            let view = try StoreViewLoader(connection: connection).load(signIn.identity, attributes: attributes)
            let decision = LinkingEngine.decide(identity: signIn.identity, policy: policy, store: view)
            let effects = DecisionEffects(
                connection: connection, signIn: signIn, requestID: requestID, now: now, reservedUsernames: reservedUsernames
            )
            switch try effects.apply(decision) {
            case .stale:
                continue
            case .denied(let reason):
                try effects.record(decision, userID: nil)
                return .denied(reason)
            case .signIn(let userID, let identityID):
                try effects.record(decision, userID: userID)
                return .signedIn(userID: userID, identityID: identityID, decision: decision)
            }
        }
        throw StoreError(code: .busy, message: "the store changed under a sign-in twice in one transaction")
    }

    /// The account page's link: adds the identity to `userID`, the user the browser is signed in
    /// as, when the engine's account-link rules allow it. Nil when linked (or already linked),
    /// else the reason it was refused; decision, effects and audit commit together.
    func linkFromAccountPage(_ signIn: VerifiedSignIn, to userID: Int64, requestID: String, now: Int64) throws -> DenyReason? {
        guard let policy = policies[signIn.identity.provider] else { throw UnknownProvider(slug: signIn.identity.provider) }
        return try database.write { connection in
            let identity = signIn.identity
            let view = try StoreViewLoader(connection: connection).loadAccountLink(
                provider: identity.provider, issuer: identity.issuer, subject: identity.subject, userID: userID
            )
            let decision = LinkingEngine.decideAccountLink(identity: signIn.identity, userID: userID, policy: policy, store: view)
            return try DecisionEffects(
                connection: connection, signIn: signIn, requestID: requestID, now: now, reservedUsernames: reservedUsernames
            ).apply(decision)
        }
    }

    /// What `signIn` would decide now, and the store view it decided on, without writing
    /// anything: the answer `gatehouse simulate-login` prints.
    func simulate(_ identity: IncomingIdentity) throws -> (decision: LinkDecision, view: StoreView, attributes: IncomingAttributes) {
        guard let policy = policies[identity.provider] else { throw UnknownProvider(slug: identity.provider) }
        let attributes = IncomingAttributes(identity: identity, policy: policy)
        let view = try database.read { connection in
            try StoreViewLoader(connection: connection).load(identity, attributes: attributes)
        }
        return (LinkingEngine.decide(identity: identity, policy: policy, store: view), view, attributes)
    }
}
