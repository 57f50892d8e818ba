/// Reads and writes `sessions` on the connection it is given. Time is always a parameter
/// (`now`, unix seconds), never read here, so expiry is tested without waiting.
///
/// Sessions are found by `token_hash`, the SHA-256 of the cookie value, which the caller
/// computes; this repository never sees the cookie value itself.
public struct SessionRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Creates a session that expires after `idleLifetime` seconds without a touch, and after
    /// `absoluteLifetime` seconds whatever happens. The idle expiry never exceeds the absolute one.
    public func create(
        tokenHash: [UInt8], userID: Int64?, now: Int64,
        idleLifetime: Int64, absoluteLifetime: Int64, details: SessionDetails = .init()
    ) throws(StoreError) -> SessionRecord {
        let absoluteExpiresAt = Self.adding(now, absoluteLifetime)
        let idleExpiresAt = min(Self.adding(now, idleLifetime), absoluteExpiresAt)
        try connection.execute(
            """
            INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at,
                                  authenticated_at, provider, user_agent, client_address, groups, id_token,
                                  provider_sid, identity_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .blob(tokenHash), SQLValue(userID), .integer(now), .integer(now), .integer(idleExpiresAt),
                .integer(absoluteExpiresAt), SQLValue(details.authenticatedAt), SQLValue(details.provider),
                SQLValue(details.userAgent), SQLValue(details.clientAddress), SQLValue(details.storedGroups),
                SQLValue(details.idToken), SQLValue(details.providerSessionID), SQLValue(details.identityID),
            ]
        )
        return SessionRecord(
            id: connection.lastInsertRowID, tokenHash: tokenHash, userID: userID, createdAt: now, lastSeenAt: now,
            idleExpiresAt: idleExpiresAt, absoluteExpiresAt: absoluteExpiresAt, revokedAt: nil, details: details
        )
    }

    /// The session with this token hash if it is usable at `now`; nil when unknown, revoked,
    /// idle-expired, absolutely expired, or belonging to a deactivated user (deactivation
    /// therefore ends sessions at once, even before they are revoked). One lookup through the
    /// unique index on `token_hash`, plus the user's primary key.
    public func findActive(tokenHash: [UInt8], now: Int64) throws(StoreError) -> SessionRecord? {
        let row = try connection.queryOne(
            """
            SELECT \(SessionRecord.columns) FROM sessions
            WHERE token_hash = ?1 AND revoked_at IS NULL AND idle_expires_at > ?2 AND absolute_expires_at > ?2
              AND (user_id IS NULL OR EXISTS (SELECT 1 FROM users WHERE users.id = sessions.user_id AND users.active = 1))
            """,
            [.blob(tokenHash), .integer(now)]
        )
        return try row.map { row throws(StoreError) in try SessionRecord(row: row) }
    }

    /// The forward-auth view of a usable, signed-in session: one SELECT through the unique
    /// index on `token_hash`, joined to `users` by primary key. Nil when the hash is unknown, the
    /// session is revoked or expired (idle or absolute) at `now`, has not signed in, or its user
    /// is deactivated.
    public func findForwardAuth(tokenHash: [UInt8], now: Int64) throws(StoreError) -> ForwardAuthSession? {
        guard let row = try connection.queryOne(
            """
            SELECT sessions.user_id,
                   CASE WHEN users.username_verified = 1 THEN users.username END,
                   CASE WHEN users.email_verified = 1 THEN users.email END,
                   CASE WHEN users.email_verified = 1 THEN users.email_key END,
                   sessions.groups, sessions.last_seen_at
            FROM sessions JOIN users ON users.id = sessions.user_id
            WHERE sessions.token_hash = ?1 AND sessions.revoked_at IS NULL
              AND sessions.idle_expires_at > ?2 AND sessions.absolute_expires_at > ?2 AND users.active = 1
            """,
            [.blob(tokenHash), .integer(now)]
        ) else { return nil }
        return ForwardAuthSession(
            userID: try row.int64(at: 0), verifiedUsername: try row.optionalString(at: 1), verifiedEmail: try row.optionalString(at: 2),
            verifiedEmailKey: try row.optionalString(at: 3), storedGroups: try row.optionalString(at: 4), lastSeenAt: try row.int64(at: 5)
        )
    }

    /// Extends the idle expiry to `now + idleLifetime` (capped at the absolute expiry) and
    /// records `now` as last seen, but only for an active session last seen at least
    /// `minimumInterval` seconds ago: a busy session costs one write per interval, not one per
    /// request. Returns true when it wrote.
    @discardableResult
    public func touch(tokenHash: [UInt8], now: Int64, idleLifetime: Int64, minimumInterval: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            """
            UPDATE sessions SET last_seen_at = ?1, idle_expires_at = min(?2, absolute_expires_at)
            WHERE token_hash = ?3 AND revoked_at IS NULL AND idle_expires_at > ?1 AND absolute_expires_at > ?1
              AND last_seen_at <= ?4
            """,
            [.integer(now), .integer(Self.adding(now, idleLifetime)), .blob(tokenHash), .integer(Self.adding(now, -minimumInterval))]
        )
        return connection.changes > 0
    }

    /// Revokes one session. Returns false when there was no unrevoked session with that hash.
    @discardableResult
    public func revoke(tokenHash: [UInt8], now: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            [.integer(now), .blob(tokenHash)]
        )
        return connection.changes > 0
    }

    /// Signs one session out: revokes it and clears its ID token, returning what the provider's
    /// end-session endpoint needs (the provider slug and the ID token), or nil when there was no
    /// live session with that hash. Run it inside a write transaction (read, then update).
    public func signOut(tokenHash: [UInt8], now: Int64) throws(StoreError) -> (provider: String?, idToken: String?)? {
        guard let row = try connection.queryOne(
            "SELECT provider, id_token FROM sessions WHERE token_hash = ? AND revoked_at IS NULL", [.blob(tokenHash)]
        ) else { return nil }
        let ended = (provider: try row.optionalString("provider"), idToken: try row.optionalString("id_token"))
        try connection.execute(
            "UPDATE sessions SET revoked_at = ?, id_token = NULL WHERE token_hash = ?", [.integer(now), .blob(tokenHash)]
        )
        return ended
    }

    /// One page of a user's sessions that are usable at `now`, oldest first.
    public func page(userID: Int64, now: Int64, _ request: PageRequest) throws(StoreError) -> Page<SessionRecord> {
        var query = PagedQuery()
        query.require("user_id = ?", .integer(userID))
        query.require("revoked_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?", .integer(now), .integer(now))
        return try query.page(
            SessionRecord.columns, from: "sessions", order: .oldestFirst, request, on: connection,
            decode: { row throws(StoreError) in try SessionRecord(row: row) }, id: \.id
        )
    }

    /// A signed-in session by its row id (never by its token), usable or not.
    public func find(id: Int64) throws(StoreError) -> SessionRecord? {
        try connection.queryOne("SELECT \(SessionRecord.columns) FROM sessions WHERE id = ? AND user_id IS NOT NULL", [.integer(id)])
            .map { row throws(StoreError) in try SessionRecord(row: row) }
    }

    /// Revokes one session by its row id and clears its ID token. Returns false when it was
    /// already revoked or does not exist.
    @discardableResult
    public func revoke(id: Int64, now: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            "UPDATE sessions SET revoked_at = ?, id_token = NULL WHERE id = ? AND revoked_at IS NULL", [.integer(now), .integer(id)]
        )
        return connection.changes > 0
    }

    /// Revokes every session of a user (sign out everywhere), clearing their ID tokens. Returns
    /// how many were revoked.
    @discardableResult
    public func revokeAll(userID: Int64, now: Int64) throws(StoreError) -> Int {
        try revokeAll(where: "user_id = ?", is: userID, now: now)
    }

    /// Revokes the live sessions that signed in through `identityID`, clearing their ID tokens.
    /// Run it in the transaction that removes the identity, before the delete: the delete sets
    /// `identity_id` to NULL, after which nothing (not even the provider's back-channel logout)
    /// could find them. Returns how many were revoked.
    @discardableResult
    public func revokeAll(identityID: Int64, now: Int64) throws(StoreError) -> Int {
        try revokeAll(where: "identity_id = ?", is: identityID, now: now)
    }

    /// Revokes the user's live sessions that signed in with the local password (no provider, no
    /// identity). Run it in the transaction that replaces or removes the password: a password reset
    /// after a leak must end the sessions the leaked one opened. Returns how many were revoked.
    @discardableResult
    public func revokePasswordSessions(userID: Int64, now: Int64) throws(StoreError) -> Int {
        try revokeAll(where: "user_id = ? AND provider IS NULL AND identity_id IS NULL", is: userID, now: now)
    }

    /// Revokes the user's live sessions beyond the `keeping` newest, clearing their ID tokens
    /// (expired ones do not count: the purge removes them).
    /// Returns how many were revoked. One lookup through `sessions_user_id` when within the bound.
    @discardableResult
    public func revokeOldest(userID: Int64, keeping: Int, now: Int64) throws(StoreError) -> Int {
        try connection.execute(
            """
            UPDATE sessions SET revoked_at = ?1, id_token = NULL WHERE id IN
                (SELECT id FROM sessions
                 WHERE user_id = ?2 AND revoked_at IS NULL AND idle_expires_at > ?1 AND absolute_expires_at > ?1
                 ORDER BY id DESC LIMIT -1 OFFSET ?3)
            """,
            [.integer(now), .integer(userID), .integer(Int64(max(0, keeping)))]
        )
        return connection.changes
    }

    /// `condition` is one of this file's own texts, never input, with one `?` for `id`.
    private func revokeAll(where condition: StaticString, is id: Int64, now: Int64) throws(StoreError) -> Int {
        try connection.execute(
            "UPDATE sessions SET revoked_at = ?, id_token = NULL WHERE \(condition) AND revoked_at IS NULL",
            [.integer(now), .integer(id)]
        )
        return connection.changes
    }

    /// Replaces the groups of the unrevoked sessions that signed in through `identityID` (a
    /// directory synchronisation read new memberships): forward-auth sees them at the next
    /// request. Returns how many sessions changed.
    public func replaceGroups(identityID: Int64, groups: [String]) throws(StoreError) -> Int {
        let stored = Self.storedGroups(groups)
        try connection.execute(
            "UPDATE sessions SET groups = ? WHERE identity_id = ? AND revoked_at IS NULL AND groups IS NOT ?",
            [stored, .integer(identityID), stored]
        )
        return connection.changes
    }

    /// Whether `replaceGroups` would change any session: a live session of the identity with
    /// other groups. A read, so a directory sync decides beside the writer what it must write.
    public func hasLiveSessions(identityID: Int64, withGroupsOtherThan groups: [String]) throws(StoreError) -> Bool {
        try connection.queryOne(
            "SELECT 1 FROM sessions WHERE identity_id = ? AND revoked_at IS NULL AND groups IS NOT ? LIMIT 1",
            [.integer(identityID), Self.storedGroups(groups)]
        ) != nil
    }

    private static func storedGroups(_ groups: [String]) -> SQLValue {
        var details = SessionDetails()
        details.groups = groups
        return SQLValue(details.storedGroups)
    }

    /// Revokes the live sessions a provider's verified back-channel logout names (OIDC
    /// Back-Channel Logout 1.0 section 2.7), clearing their ID tokens, and returns them.
    ///
    /// Only sessions that signed in through `provider` are candidates. A `sid` names the
    /// sessions that recorded it; a `sub` names the sessions of that identity (provider, issuer,
    /// subject), and those of its user through this provider that recorded no identity (they
    /// began before identities were recorded: refusing to end them would fail open); both
    /// together name the sessions that match both. A `sid` alone names no session signed in as
    /// an identity of another issuer. An unknown identity or `sid` names nothing.
    /// Run it inside the write transaction that records the token.
    public func revokeNamedByProvider(
        provider: String, issuer: String, scope: ProviderLogoutScope, now: Int64
    ) throws(StoreError) -> [RevokedSession] {
        // ?1 the provider, ?2 the issuer; each further value takes the next number.
        var bindings: [SQLValue] = [.text(provider), .text(issuer)]
        func placeholder(_ value: SQLValue) -> String {
            bindings.append(value)
            return "?\(bindings.count)"
        }
        var conditions = ["provider = ?1", "revoked_at IS NULL", "user_id IS NOT NULL"]
        if let subject = scope.subject {
            let identity = "FROM identities WHERE provider = ?1 AND issuer = ?2 AND subject = \(placeholder(.text(subject)))"
            conditions.append("(identity_id = (SELECT id \(identity)) OR (identity_id IS NULL AND user_id = (SELECT user_id \(identity))))")
        }
        if let sessionID = scope.sessionID {
            conditions.append("provider_sid = \(placeholder(.text(sessionID)))")
            if scope.subject == nil {
                // A sid is the issuer's name for a session: where one provider has several issuers
                // (Entra's tenants), one tenant's token names none of another's sessions.
                conditions.append("(identity_id IS NULL OR identity_id IN (SELECT id FROM identities WHERE provider = ?1 AND issuer = ?2))")
            }
        }
        let revokedAt = placeholder(.integer(now))
        let rows = try connection.query(
            """
            UPDATE sessions SET revoked_at = \(revokedAt), id_token = NULL
            WHERE \(conditions.joined(separator: " AND ")) RETURNING id, user_id
            """,
            bindings
        )
        return try rows.map { row throws(StoreError) in RevokedSession(id: try row.int64(at: 0), userID: try row.int64(at: 1)) }
    }

    /// One step of a walk through the sessions by id: deletes those that can never be used again
    /// (expired, idle or absolute, at `now`, or revoked) among the next `limit` sessions after
    /// the id `after` (0 to start). Returns how many were deleted, and the id the next step starts
    /// after: nil when this step reached the last session.
    ///
    /// A walk rather than one `DELETE ... WHERE` the dead condition: no index serves
    /// `idle_expires_at` (forward-auth's touch moves it, so an index would cost every touch) nor
    /// `revoked_at`, so such a statement scans every session while holding the writer. Each step
    /// reads at most `limit` rows, a range of the primary key, however many of them are dead.
    public func deleteExpired(now: Int64, after id: Int64, limit: Int) throws(StoreError) -> (deleted: Int, resumeAfter: Int64?) {
        guard let range = try connection.queryOne(
            "SELECT count(*), max(id) FROM (SELECT id FROM sessions WHERE id > ?1 ORDER BY id LIMIT ?2)",
            [.integer(id), .integer(Int64(limit))]
        ), let last = try range.optionalInt64(at: 1) else {
            return (0, nil)
        }
        try connection.execute(
            """
            DELETE FROM sessions WHERE id > ?1 AND id <= ?2
              AND (absolute_expires_at <= ?3 OR idle_expires_at <= ?3 OR revoked_at IS NOT NULL)
            """,
            [.integer(id), .integer(last), .integer(now)]
        )
        return (connection.changes, try range.int64(at: 0) < Int64(limit) ? nil : last)
    }

    /// `now + seconds`, saturating instead of trapping: an absurd configured lifetime must not crash.
    private static func adding(_ now: Int64, _ seconds: Int64) -> Int64 {
        let (sum, overflow) = now.addingReportingOverflow(seconds)
        guard overflow else { return sum }
        return seconds > 0 ? .max : .min
    }
}
