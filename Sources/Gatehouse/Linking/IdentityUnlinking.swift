import Store

/// Removing an identity from a user: the one rule for the account page and the admin API.
///
/// Refused when it would leave the user with no way to sign in (`WaysToSignIn`): no local
/// password that can sign in and no other identity of a configured provider or directory (one
/// still waiting for its first sign-in counts when that sign-in could fill it). An operator may
/// force it, and the entry in the audit log says so. The check and the delete run in one write
/// transaction, so two unlinks racing in two tabs cannot both pass the check and leave nothing.
///
/// The sessions that signed in through the identity end with it, in the same transaction: an
/// identity removed because it should never have been linked must not keep its sessions past
/// forward-auth, and once it is gone the provider's back-channel logout could no longer name
/// them. A person who removes the identity they signed in with is signed out.
struct IdentityUnlinking: Sendable {
    let database: Database
    let waysIn: WaysToSignIn

    enum Outcome: Sendable, Equatable {
        case unlinked(IdentityRecord)
        /// The identity is not this user's (or is gone): nothing was changed.
        case notFound
        /// It is the user's last way to sign in, and the unlink was not forced.
        case lastSignInMethod
        /// `isCurrent` said the identity changed since the caller read it (`If-Match`).
        case changed(IdentityRecord)
    }

    /// Who asks, as the audit log names them (`person` on the account page, `token:<name>` or
    /// `cli` for an operator); `force` lets an operator remove the last way in; `isCurrent`
    /// checks the identity as this transaction reads it (an operator's `If-Match`), so a first
    /// sign-in that fills it meanwhile is not unlinked on a stale look.
    func unlink(
        identityID: Int64, userID: Int64, actor: String, force: Bool = false, requestID: String?, now: Int64,
        isCurrent: (IdentityRecord) -> Bool = { _ in true }
    ) throws -> Outcome {
        try database.write { connection in
            let identities = IdentityRepository(connection)
            let held = try identities.list(userID: userID)
            guard let target = held.first(where: { $0.id == identityID }) else { return .notFound }
            guard isCurrent(target) else { return .changed(target) }
            let users = UserRepository(connection)
            guard let user = try users.find(id: userID) else { return .notFound }
            let hasPassword = try users.passwordHash(userID: userID) != nil
            let isLastWayIn = !waysIn.remain(afterRemoving: identityID, from: held, hasPassword: hasPassword, user: user)
            guard !isLastWayIn || force else { return .lastSignInMethod }
            let revoked = try SessionRepository(connection).revokeAll(identityID: identityID, now: now)
            try identities.delete(id: identityID, userID: userID)
            var detail = "provider=\(target.provider); identity=\(target.id); sessions_revoked=\(revoked)"
            if isLastWayIn { detail += "; forced=last_sign_in_method" }
            try AuditRecorder.record(
                .identityUnlinked, userID: userID, requestID: requestID, now: now, detail: detail,
                actor: actor, provider: target.provider, in: connection
            )
            return .unlinked(target)
        }
    }
}
