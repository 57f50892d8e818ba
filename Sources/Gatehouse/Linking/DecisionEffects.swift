import Accounts
import Store

/// The writes one `LinkDecision` calls for, on the caller's transaction.
struct DecisionEffects {
    let connection: Connection
    let signIn: AccountLinking.VerifiedSignIn
    let requestID: String
    let now: Int64

    private var identity: IncomingIdentity { signIn.identity }

    enum Applied {
        /// The person signs in as this user.
        case signIn(userID: Int64)
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
            return .signIn(userID: signIn.userID)
        case .fillSubjectThenSignIn(let fill):
            let filled = try identities.fillSubject(
                id: fill.identityID, issuer: fill.issuer, subject: fill.subject, snapshot: snapshot(fill.snapshot), now: now
            )
            guard filled else { return .stale }
            try audit("identity.subject_filled", userID: fill.userID, detail: "provider=\(identity.provider); identity=\(fill.identityID)")
            return .signIn(userID: fill.userID)
        case .linkThenSignIn(let link):
            let method: LinkMethod = link.method == .email ? .email : .username
            let created = try identities.create(
                userID: link.userID, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                snapshot: snapshot(link.snapshot), method: method, now: now
            )
            try audit("identity.linked", userID: link.userID, detail: "provider=\(identity.provider); identity=\(created.id); method=\(method.rawValue)")
            return .signIn(userID: link.userID)
        case .createUserThenSignIn(let newUser):
            let users = UserRepository(connection)
            let username = try UsernameAllocation(users: users).available(
                preferred: newUser.usernameCandidate, email: newUser.email, issuer: identity.issuer, subject: identity.subject
            )
            // A trusted username stays verified only if it was stored as the claim said it.
            let usernameKept = newUser.usernameCandidate.flatMap(Normalization.username) == Normalization.username(username)
            let user = try users.create(
                username: username, email: newUser.email, emailVerified: newUser.email != nil && newUser.emailVerified,
                usernameVerified: newUser.usernameVerified && usernameKept, displayName: signIn.displayName, now: now
            )
            _ = try identities.create(
                userID: user.id, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                snapshot: snapshot(newUser.snapshot), method: .provisioned, now: now
            )
            try audit("user.provisioned", userID: user.id, detail: "provider=\(identity.provider)")
            return .signIn(userID: user.id)
        case .deny(let reason):
            return .denied(reason)
        }
    }

    /// Writes the decision's explanation to `link_decisions`: rule, reason, request id; never a
    /// token or claim value beyond the identity's key.
    func record(_ decision: LinkDecision, userID: Int64?) throws {
        let reason = decision.denyReason
        try LinkDecisionRepository(connection).append(
            LinkDecisionEntry(
                provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                userID: userID, decision: Self.storedName(decision),
                reason: reason?.code.rawValue, rule: decision.rule.name, requestID: requestID
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
        IdentitySnapshot(email: seen.email, emailVerified: seen.emailVerified, claims: signIn.claimsJSON)
    }

    private func audit(_ event: String, userID: Int64, detail: String) throws {
        try AuditLogRepository(connection).append(event: event, now: now, userID: userID, requestID: requestID, detail: detail)
    }
}
