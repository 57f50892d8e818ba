import Accounts
import Store

/// The writes one decision calls for, on the caller's transaction: a sign-in's `LinkDecision` or
/// an account-page link's `AccountLinkDecision`, each with its audit entries and its record in
/// `link_decisions`. Either all of it commits or none of it does.
struct DecisionEffects {
    let connection: Connection
    let signIn: AccountLinking.VerifiedSignIn
    let requestID: String
    let now: Int64
    /// Names a user made at a first sign-in may not take from an untrusted claim.
    let reservedUsernames: ReservedUsernames

    private var identity: IncomingIdentity { signIn.identity }

    enum Applied {
        /// The person signs in as this user, through this identity (found, filled, linked or created).
        case signIn(userID: Int64, identityID: Int64)
        /// Refused: nothing to write beyond the decision's record.
        case denied(DenyReason)
        /// A subject fill found its row already filled: decide again on a fresh view.
        case stale
    }

    func apply(_ decision: LinkDecision) throws -> Applied {
        let identities = IdentityRepository(connection)
        switch decision {
        case .signIn(let signIn):
            try identities.recordSignIn(id: signIn.identityID, snapshot: snapshot(signIn.updateSnapshot), now: now)
            return .signIn(userID: signIn.userID, identityID: signIn.identityID)
        case .fillSubjectThenSignIn(let fill):
            let filled = try identities.fillSubject(
                id: fill.identityID, issuer: fill.issuer, subject: fill.subject, snapshot: snapshot(fill.snapshot), now: now
            )
            guard filled else { return .stale }
            try audit(.identitySubjectFilled, userID: fill.userID, detail: "provider=\(identity.provider); identity=\(fill.identityID)")
            return .signIn(userID: fill.userID, identityID: fill.identityID)
        case .linkThenSignIn(let link):
            let method: LinkMethod = link.method == .email ? .email : .username
            let identityID = try createIdentity(for: link.userID, snapshot: link.snapshot, method: method)
            return .signIn(userID: link.userID, identityID: identityID)
        case .createUserThenSignIn(let newUser):
            let users = UserRepository(connection)
            let username = try UsernameAllocation(users: users, reserved: reservedUsernames).available(
                preferred: newUser.usernameCandidate, trusted: newUser.usernameVerified, email: newUser.email,
                issuer: identity.issuer, subject: identity.subject
            )
            // A trusted username stays verified only if it was stored as the claim said it.
            let usernameKept = newUser.usernameCandidate.map { $0.utf8.elementsEqual(username.utf8) } ?? false
            let user = try users.create(
                username: username, email: newUser.email,
                emailVerifiedBy: newUser.emailVerified ? .provider(identity.provider) : nil,
                usernameVerifiedBy: newUser.usernameVerified && usernameKept ? .provider(identity.provider) : nil,
                displayName: signIn.displayName, now: now
            )
            let created = try identities.create(
                userID: user.id, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                snapshot: snapshot(newUser.snapshot), method: .provisioned, now: now
            )
            let withheld = newUser.emailVerificationWithheld ? "; email_verified=withheld_held_by_another_user" : ""
            try audit(.userProvisioned, userID: user.id, detail: "provider=\(identity.provider)\(withheld)")
            return .signIn(userID: user.id, identityID: created.id)
        case .deny(let reason):
            return .denied(reason)
        }
    }

    /// Carries out an account-page link and records it; returns the decision's deny reason, if any.
    func apply(_ decision: AccountLinkDecision) throws -> DenyReason? {
        let reason: DenyReason?
        let userID: Int64?
        switch decision {
        case .link(let link):
            _ = try createIdentity(for: link.userID, snapshot: link.snapshot, method: .accountPage)
            (reason, userID) = (nil, link.userID)
        case .alreadyLinked(let already):
            try IdentityRepository(connection).recordSignIn(id: already.identityID, snapshot: snapshot(already.snapshot), now: now)
            (reason, userID) = (nil, already.userID)
        case .deny(let denied):
            (reason, userID) = (denied, nil)
        }
        try record(name: decision.name, rule: decision.rule, reason: reason, userID: userID)
        return reason
    }

    /// Links a new identity to `userID` and audits it; returns the identity's id.
    private func createIdentity(for userID: Int64, snapshot seen: IncomingAttributes, method: LinkMethod) throws -> Int64 {
        let created = try IdentityRepository(connection).create(
            userID: userID, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
            snapshot: snapshot(seen), method: method, now: now
        )
        try audit(.identityLinked, userID: userID, detail: "provider=\(identity.provider); identity=\(created.id); method=\(method.rawValue)")
        return created.id
    }

    /// Writes a sign-in decision's explanation to `link_decisions`: rule, reason, request id;
    /// never a token or claim value beyond the identity's key.
    func record(_ decision: LinkDecision, userID: Int64?) throws {
        try record(name: Self.storedName(decision), rule: decision.rule, reason: decision.denyReason, userID: userID)
    }

    private func record(name: String, rule: DecisionRule, reason: DenyReason?, userID: Int64?) throws {
        try LinkDecisionRepository(connection).append(
            LinkDecisionEntry(
                provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                userID: userID, decision: name, reason: reason?.code.rawValue, rule: rule.name, requestID: requestID
            ),
            now: now
        )
    }

    /// `link_decisions.decision` says `create` where the engine says `create_user`.
    static func storedName(_ decision: LinkDecision) -> String {
        if case .createUserThenSignIn = decision { return "create" }
        return decision.name
    }

    private func snapshot(_ seen: IncomingAttributes) -> IdentitySnapshot {
        IdentitySnapshot(email: seen.email, emailVerified: seen.emailVerified, claims: signIn.claimsJSON, upstreamIdP: signIn.upstreamIdP)
    }

    private func audit(_ event: AuditEvent, userID: Int64, detail: String) throws {
        try AuditRecorder.record(
            event, userID: userID, requestID: requestID, now: now, detail: detail, provider: identity.provider, in: connection
        )
    }
}
