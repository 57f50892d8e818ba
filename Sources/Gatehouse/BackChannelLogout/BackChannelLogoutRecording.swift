import OIDC
import Store

/// Acts on a verified logout token, in ONE write transaction: records its (issuer, `jti`) in the
/// replay record, revokes the sessions it names, and writes the audit entry. Either all of it
/// commits or none of it does, so a token is never acted on without being recorded (and so
/// refused the next time), nor recorded without being acted on.
///
/// The revocation is a write through the app's `Database`, which is what tells forward-auth's
/// session cache to read again: the revoked sessions are refused from the very next
/// `/auth/verify`, as after an operator's revocation.
struct BackChannelLogoutRecording: Sendable {
    let database: Database

    enum Outcome: Sendable, Equatable {
        /// Carried out: these sessions were revoked (none is a success too, section 2.7).
        case loggedOut([RevokedSession])
        case replayed
        case replayRecordFull
    }

    /// Store failures are thrown, and then nothing is written.
    func record(
        _ claims: LogoutTokenClaims, scope: ProviderLogoutScope, provider: String, requestID: String, now: Int64
    ) throws -> Outcome {
        try database.write { connection in
            switch try LogoutTokenLedger(connection).record(
                issuer: claims.issuer, tokenID: claims.tokenID, expiresAt: claims.acceptedUntil, now: now,
                sessionID: claims.sessionID, subject: claims.subject, issuedAt: claims.issuedAt
            ) {
            case .alreadySeen: return .replayed
            case .full: return .replayRecordFull
            case .recorded: break
            }
            let revoked = try SessionRepository(connection).revokeNamedByProvider(
                provider: provider, issuer: claims.issuer, scope: scope, now: now
            )
            // One entry per person signed out, or one without a user when the token matched no
            // session (an event of its own, kept to the unauthenticated budget); never the sid or
            // sub themselves.
            let detail = "provider=\(provider); named=\(Self.named(scope)); sessions_revoked="
            let users = Array(Set(revoked.map(\.userID))).sorted()
            for userID in users.isEmpty ? [nil] : users.map(Optional.some) {
                let count = revoked.filter { $0.userID == userID }.count
                try AuditRecorder.record(
                    userID == nil ? .backChannelLogoutUnmatched : .backChannelLogout, userID: userID, requestID: requestID, now: now,
                    detail: detail + "\(count)", actor: "provider:\(provider)", provider: provider, in: connection
                )
            }
            return .loggedOut(revoked)
        }
    }

    /// What kind of name the token gave, for the audit trail.
    static func named(_ scope: ProviderLogoutScope) -> String {
        switch scope {
        case .session: "sid"
        case .person: "sub"
        case .personsSession: "sub+sid"
        }
    }
}
