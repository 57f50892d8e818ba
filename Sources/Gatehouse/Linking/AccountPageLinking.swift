import Accounts
import Store

/// Linking an identity from the account page: the signed-in person asks to add a provider
/// account to the user they are signed in as. No matching rule is involved (the person chose
/// the user by signing in to it), but an identity never moves between users, and the
/// provider's `multiple_identities` still holds.
struct AccountPageLinking: Sendable {
    let database: Database
    let policies: [String: ProviderPolicy]

    enum Outcome: Sendable, Equatable {
        case linked(identityID: Int64)
        /// This identity already belongs to this user: nothing to do.
        case alreadyLinked
        case refused(Refusal)
    }

    /// Why an account-page link was refused; `message` is what the person reads.
    enum Refusal: String, Sendable, Equatable {
        /// The identity belongs to another user. It is never moved silently.
        case ownedByAnotherUser = "identity_owned_by_another_user"
        /// The user already holds an identity of this provider and the provider allows one.
        case oneIdentityPerUser = "one_identity_per_user"
        case userInactive = "user_inactive"

        var message: String {
            switch self {
            case .ownedByAnotherUser:
                "This account at the provider is already linked to another user here, so it was not added to yours. "
                    + "Sign in with it to use that user, or ask an administrator to move it."
            case .oneIdentityPerUser:
                "Your account already has an account at this provider linked, and only one is allowed. "
                    + "Unlink the old one first if you want to replace it."
            case .userInactive:
                "Your account is disabled. Ask an administrator to enable it."
            }
        }
    }

    /// Adds the identity to `userID` in one transaction with its audit and decision records.
    func link(_ signIn: AccountLinking.VerifiedSignIn, to userID: Int64, requestID: String, now: Int64) throws -> Outcome {
        let identity = signIn.identity
        let multiple = policies[identity.provider]?.multipleIdentities ?? .deny
        return try database.write { connection in
            let identities = IdentityRepository(connection)
            let outcome: Outcome
            let attributes = policies[identity.provider].map { IncomingAttributes(identity: identity, policy: $0) }
            let snapshot = IdentitySnapshot(
                email: attributes?.email, emailVerified: attributes?.emailVerified ?? false, claims: signIn.claimsJSON
            )
            if let existing = try identities.find(provider: identity.provider, issuer: identity.issuer, subject: identity.subject) {
                if existing.userID == userID {
                    try identities.recordSignIn(id: existing.id, snapshot: snapshot, now: now)
                    outcome = .alreadyLinked
                } else {
                    outcome = .refused(.ownedByAnotherUser)
                }
            } else if try UserRepository(connection).find(id: userID)?.isActive != true {
                outcome = .refused(.userInactive)
            } else if multiple == .deny, try !identities.list(userID: userID, provider: identity.provider).isEmpty {
                outcome = .refused(.oneIdentityPerUser)
            } else {
                let created = try identities.create(
                    userID: userID, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                    snapshot: snapshot, method: .accountPage, now: now
                )
                try AuditLogRepository(connection).append(
                    event: "identity.linked", now: now, userID: userID, requestID: requestID,
                    detail: "provider=\(identity.provider); identity=\(created.id); method=account_page"
                )
                outcome = .linked(identityID: created.id)
            }
            try LinkDecisionRepository(connection).append(
                LinkDecisionEntry(
                    provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                    userID: userID, decision: Self.decisionName(outcome), reason: Self.reason(outcome),
                    rule: "account_page.\(Self.ruleBranch(outcome))", requestID: requestID
                ),
                now: now
            )
            return outcome
        }
    }

    private static func decisionName(_ outcome: Outcome) -> String {
        switch outcome {
        case .linked: "link"
        case .alreadyLinked: "sign_in"
        case .refused: "deny"
        }
    }

    private static func reason(_ outcome: Outcome) -> String? {
        if case .refused(let refusal) = outcome { return refusal.rawValue }
        return nil
    }

    private static func ruleBranch(_ outcome: Outcome) -> String {
        switch outcome {
        case .linked: "link"
        case .alreadyLinked: "already_linked"
        case .refused(let refusal): refusal.rawValue
        }
    }
}
