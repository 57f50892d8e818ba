import Accounts

/// What `gatehouse simulate-login` prints and `POST /api/v1/admin/simulate-login` answers: what the engine read from the claims, what the store
/// holds that matters, and the decision with its rule and, for a deny, the reason and the
/// sentence the person would read.
public struct SimulationReport: Sendable {
    let identity: IncomingIdentity
    let decision: LinkDecision
    let view: StoreView
    let attributes: IncomingAttributes

    init(identity: IncomingIdentity, result: (decision: LinkDecision, view: StoreView, attributes: IncomingAttributes)) {
        self.identity = identity
        decision = result.decision
        view = result.view
        attributes = result.attributes
    }

    /// The user the person would be signed in as, when there is one already.
    var userID: Int64? {
        switch decision {
        case .signIn(let signIn): signIn.userID
        case .fillSubjectThenSignIn(let fill): fill.userID
        case .linkThenSignIn(let link): link.userID
        case .createUserThenSignIn, .deny: nil
        }
    }

    public func text() -> String {
        var lines = [
            "provider: \(identity.provider)",
            "issuer:   \(identity.issuer)",
            "subject:  \(identity.subject)",
            "email:    \(attributes.email ?? "(none)") (\(attributes.emailVerified ? "verified" : "not verified"))",
            "email key: \(attributes.emailKey ?? "(none: matches nobody)")",
            "username: \(attributes.username ?? "(none)") (\(attributes.usernameVerified ? "trusted" : "not trusted"))",
            "existing identity: \(view.existing.map { "#\($0.identity.id) of user #\($0.user.id)" } ?? "none")",
            "matching users: \(view.candidates.isEmpty ? "none" : view.candidates.map { "#\($0.user.id)" }.joined(separator: ", "))",
            "",
            "decision: \(decision.name)",
            "rule:     \(decision.rule.name)",
        ]
        if let userID { lines.append("user:     #\(userID)") }
        if let reason = decision.denyReason {
            lines.append("reason:   \(reason.code.rawValue)")
            lines.append("the person would read: \(reason.message)")
        }
        lines.append("(nothing was written)")
        return lines.joined(separator: "\n")
    }
}
