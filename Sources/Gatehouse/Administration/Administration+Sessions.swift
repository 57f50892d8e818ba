import Store

extension Administration {
    /// A user's sessions that are usable now, oldest first.
    public func listSessions(ofUser userID: Int64, _ page: PageRequest) throws -> Page<SessionRecord> {
        let now = clock()
        return try read { connection in
            guard try UserRepository(connection).find(id: userID) != nil else { throw AdministrationError.notFound("user \(userID)") }
            return try SessionRepository(connection).page(userID: userID, now: now, page)
        }
    }

    /// Revokes one signed-in session. Forward-auth sees it on the very next request: its cache
    /// of sessions drops everything when a write through this database finishes.
    public func revokeSession(_ id: Int64, by actor: AdministrationActor) throws {
        let now = clock()
        try write { connection in
            let sessions = SessionRepository(connection)
            guard let session = try sessions.find(id: id) else { throw AdministrationError.notFound("session \(id)") }
            guard try sessions.revoke(id: id, now: now) else { return }
            try AuditRecorder.record(
                .sessionRevoked, userID: session.userID, requestID: actor.requestID, now: now, detail: "session=\(id)",
                actor: actor.name, provider: session.provider, in: connection
            )
        }
    }

    /// Revokes every session of a user; returns how many were live.
    public func revokeSessions(ofUser userID: Int64, by actor: AdministrationActor) throws -> Int {
        let now = clock()
        return try write { connection in
            guard try UserRepository(connection).find(id: userID) != nil else { throw AdministrationError.notFound("user \(userID)") }
            let revoked = try SessionRepository(connection).revokeAll(userID: userID, now: now)
            try AuditRecorder.record(
                .sessionsRevoked, userID: userID, requestID: actor.requestID, now: now, detail: "sessions_revoked=\(revoked)",
                actor: actor.name, in: connection
            )
            return revoked
        }
    }
}
