import Store

/// Removing an identity from the account page.
///
/// Refused when it would leave the user with no way to sign in: no local password and no other
/// identity. The check and the delete run in one write transaction, so two unlinks racing in two
/// tabs cannot both pass the check and leave nothing.
struct IdentityUnlinking: Sendable {
    let database: Database

    enum Outcome: Sendable, Equatable {
        case unlinked(provider: String)
        /// The identity is not this user's (or is gone): nothing was changed.
        case notFound
        /// It is the user's last way to sign in.
        case lastSignInMethod
    }

    func unlink(identityID: Int64, userID: Int64, requestID: String, now: Int64) throws -> Outcome {
        try database.write { connection in
            let identities = IdentityRepository(connection)
            let held = try identities.list(userID: userID)
            guard let target = held.first(where: { $0.id == identityID }) else { return .notFound }
            let hasPassword = try UserRepository(connection).passwordHash(userID: userID) != nil
            guard hasPassword || held.count > 1 else { return .lastSignInMethod }
            try identities.delete(id: identityID, userID: userID)
            try AuditRecorder.record(
                .identityUnlinked, userID: userID, requestID: requestID, now: now,
                detail: "provider=\(target.provider); identity=\(target.id)", in: connection
            )
            return .unlinked(provider: target.provider)
        }
    }
}
