import Crypto
/// Reads and writes `logout_tokens_seen`: the back-channel logout tokens already acted on, by
/// issuer and `jti` (OIDC Back-Channel Logout 1.0 section 2.6 step 8).
///
/// The caller records a token only after its signature and claims were verified, and inside the
/// write transaction that acts on it, so a token is either recorded and acted on, or neither.
/// A failure to read or write the record is thrown, never taken for "not seen".
public struct LogoutTokenLedger {
    /// The most rows one issuer may hold at once. A provider sends one token per sign-out, each
    /// remembered for at most ten minutes and the clock skew (`LogoutTokenLifetimePolicy`), so
    /// this is far above any honest rate (about 15 sign-outs a second at the default skew).
    public static let capacityPerIssuer = 10_000

    /// The most rows one subject (`sub`) of an issuer keeps: past it, a new token of that
    /// subject takes the place of its oldest. Review finding: one person scripting sign-ins
    /// here and sign-outs at the provider could fill `capacityPerIssuer`, and every logout from
    /// that provider was refused after. A subject past its share now only loses the replay
    /// record of its own oldest tokens, which name nobody else's sessions.
    public static let sharePerSubject = 100

    public enum Recording: Sendable, Equatable {
        /// First time seen: recorded until `expiresAt`; act on the token.
        case recorded
        /// This issuer's `jti` was recorded before and has not expired: a replay, refuse it.
        case alreadySeen
        /// The issuer holds `capacityPerIssuer` live rows: the token cannot be recorded, so it
        /// must not be acted on (it could not be refused the next time).
        case full
    }

    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Records `tokenID` from `issuer` until `expiresAt` (the first second the token is refused
    /// anyway), unless it is already recorded. The issuer's expired rows are pruned first, so an
    /// issuer's rows are bounded by what is live. Run it inside a write transaction.
    /// What the token named is kept beside it, as digests of its `sid` and its `sub`
    /// (`digest`), with its `iat`, for `endedSession` (migration 0017).
    public func record(
        issuer: String, tokenID: String, expiresAt: Int64, now: Int64,
        sessionID: String? = nil, subject: String? = nil, issuedAt: Int64? = nil
    ) throws(StoreError) -> Recording {
        try connection.execute("DELETE FROM logout_tokens_seen WHERE issuer = ? AND expires_at <= ?", [.text(issuer), .integer(now)])
        if try connection.queryOne(
            "SELECT 1 FROM logout_tokens_seen WHERE issuer = ? AND jti = ?", [.text(issuer), .text(tokenID)]
        ) != nil {
            return .alreadySeen
        }
        let subjectHash = subject.map(Self.digest)
        if let subjectHash { try makeRoom(forSubject: subjectHash, of: issuer) }
        let held = try connection.queryOne("SELECT count(*) FROM logout_tokens_seen WHERE issuer = ?", [.text(issuer)])?.int64(at: 0) ?? 0
        guard held < Int64(Self.capacityPerIssuer) else { return .full }
        try connection.execute(
            "INSERT INTO logout_tokens_seen (issuer, jti, expires_at, session_hash, subject_hash, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(issuer), .text(tokenID), .integer(expiresAt), SQLValue(sessionID.map(Self.digest)), SQLValue(subjectHash),
                SQLValue(issuedAt),
            ]
        )
        return .recorded
    }

    /// Deletes the rows of the subject whose `sub` digest is `subjectHash` that expire first,
    /// beyond `sharePerSubject` less one, so its new token fits within its share.
    private func makeRoom(forSubject subjectHash: [UInt8], of issuer: String) throws(StoreError) {
        let held = try connection.queryOne(
            "SELECT count(*) FROM logout_tokens_seen WHERE issuer = ? AND subject_hash = ?", [.text(issuer), .blob(subjectHash)]
        )?.int64(at: 0) ?? 0
        let excess = held - Int64(Self.sharePerSubject) + 1
        guard excess > 0 else { return }
        try connection.execute(
            """
            DELETE FROM logout_tokens_seen WHERE issuer = ?1 AND jti IN
                (SELECT jti FROM logout_tokens_seen WHERE issuer = ?1 AND subject_hash = ?2 ORDER BY expires_at, jti LIMIT ?3)
            """,
            [.text(issuer), .blob(subjectHash), .integer(excess)]
        )
    }

    /// Whether a recorded, unexpired logout token from `issuer`, issued at or after `since` (an
    /// ID token's `iat`), names the session a sign-in with that ID token would start: by its
    /// `sid` (and its `sub` too, when the token named both), or by its `sub` alone. Such a
    /// sign-in comes from a provider session that has ended. The issuer's live rows are few (a
    /// token is kept minutes), read through the (issuer, expires_at) index.
    public func endedSession(
        issuer: String, sessionID: String?, subject: String, since: Int64, now: Int64
    ) throws(StoreError) -> Bool {
        try connection.queryOne(
            """
            SELECT 1 FROM logout_tokens_seen
            WHERE issuer = ?1 AND expires_at > ?2 AND issued_at >= ?3
              AND ((session_hash = ?4 AND (subject_hash IS NULL OR subject_hash = ?5)) OR (session_hash IS NULL AND subject_hash = ?5))
            LIMIT 1
            """,
            [.text(issuer), .integer(now), .integer(since), SQLValue(sessionID.map(Self.digest)), .blob(Self.digest(subject))]
        ) != nil
    }

    /// How a `sid` or a `sub` is kept: its SHA-256, so the record holds no provider identifier,
    /// and one rule for the token that names it and the sign-in that looks for it.
    private static func digest(_ name: String) -> [UInt8] { Digest.sha256(Array(name.utf8)) }

    /// Deletes every issuer's rows whose token is refused by now anyway; run periodically.
    @discardableResult
    public func deleteExpired(now: Int64) throws(StoreError) -> Int {
        try connection.execute("DELETE FROM logout_tokens_seen WHERE expires_at <= ?", [.integer(now)])
        return connection.changes
    }
}
