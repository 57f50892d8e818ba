import Accounts
import HTTP
import Store

/// Who has proven themselves, and how: what every authentication method hands to the one
/// completion. A method proves; only `SignInCompletion` decides the account and starts a session.
enum AuthenticatedPrincipal: Sendable {
    /// An external account that a provider vouched for (OIDC today; a directory next), with the
    /// groups forward-auth reports, the ID token kept for RP-initiated logout, and the provider's
    /// `sid` for its own session, kept so its back-channel logout can name this session, with the
    /// ID token's `iat` (nil without an ID token) to check no logout ended that session already,
    /// and its `auth_time` (nil when the provider did not say), when the person signed in there.
    /// `providerSubject` is the ID token's own `sub`, the name a logout token gives the person,
    /// which differs from the identity's subject under Entra's `oid_tid` rule.
    case external(
        AccountLinking.VerifiedSignIn, groups: [String], idToken: String?, providerSessionID: String?, providerSubject: String?,
        idTokenIssuedAt: Int64?, authTime: Int64?
    )
    /// A user of Gatehouse's own, proven by a local credential (a password today; a passkey
    /// next). `auditDetail` says how (`method=password; identifier=…`), never the credential.
    case localUser(userID: Int64, auditDetail: String)
    /// A directory entry whose password a bind proved (`DirectorySignIn`): linked exactly like
    /// an external account, with its directory groups. `auditDetail` says which directory and
    /// identifier, never the password.
    case directory(AccountLinking.VerifiedSignIn, groups: [String], auditDetail: String)
}

/// The one end of every sign-in. In ONE write transaction it decides the account (the linking
/// engine for an external identity; the user itself, re-read and still active, for a local
/// one), revokes the session the browser came with, starts a new one, and writes the
/// `sign_in.success` entry: either all of it commits or none of it does, so no user, link or
/// session is ever left without the others or without its audit entry.
struct SignInCompletion: Sendable {
    let database: Database
    let sessions: SessionManager
    let linking: AccountLinking

    enum Outcome: Sendable {
        case signedIn(userID: Int64, started: SessionManager.Started)
        /// The linking engine refused the external identity; its decision is recorded.
        case denied(DenyReason)
        /// The local user was disabled or removed between the credential check and now.
        case userInactive
        /// The provider's back-channel logout, recorded already, ended the session this sign-in
        /// comes from (it arrived between the code exchange and now): nothing was written.
        case providerSignedOut
    }

    /// Store failures are thrown (the caller shows a "try again" page), and nothing is written.
    func complete(_ principal: AuthenticatedPrincipal, request: Request, now: Int64) throws -> Outcome {
        try database.write { connection in
            let userID: Int64
            let origin: SessionOrigin
            let detail: String
            switch principal {
            case .external(let verified, let groups, let idToken, let providerSessionID, let providerSubject, let idTokenIssuedAt, let authTime):
                if let idTokenIssuedAt, try LogoutTokenLedger(connection).endedSession(
                    issuer: verified.identity.issuer, sessionID: providerSessionID, subject: providerSubject ?? verified.identity.subject,
                    since: idTokenIssuedAt, now: now
                ) {
                    return .providerSignedOut
                }
                let identityID: Int64
                switch try linking.signIn(verified, requestID: request.requestID, now: now, in: connection) {
                case .denied(let reason): return .denied(reason)
                case .signedIn(let linked, let identity, _): (userID, identityID) = (linked, identity)
                }
                origin = SessionOrigin(
                    provider: verified.identity.provider, groups: groups, idToken: idToken, providerSessionID: providerSessionID,
                    identityID: identityID, authentication: .atProvider(authTime: authTime)
                )
                detail = "method=oidc; provider=\(verified.identity.provider)"
            case .directory(let verified, let groups, let auditDetail):
                let identityID: Int64
                switch try linking.signIn(verified, requestID: request.requestID, now: now, in: connection) {
                case .denied(let reason): return .denied(reason)
                case .signedIn(let linked, let identity, _): (userID, identityID) = (linked, identity)
                }
                origin = SessionOrigin(provider: verified.identity.provider, groups: groups, idToken: nil, providerSessionID: nil, identityID: identityID)
                detail = auditDetail
            case .localUser(let local, let auditDetail):
                guard try UserRepository(connection).find(id: local)?.isActive == true else { return .userInactive }
                (userID, origin, detail) = (local, .local, auditDetail)
            }
            let started = try sessions.start(userID: userID, origin: origin, request: request, now: now, in: connection)
            try AuditRecorder.record(
                .signInSucceeded, userID: userID, requestID: request.requestID, now: now, detail: detail, provider: origin.provider,
                in: connection
            )
            return .signedIn(userID: userID, started: started)
        }
    }
}
