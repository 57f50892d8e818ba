/// Reads and writes `sign_in_flows`. A flow is claimed at most once: `claim` is a single
/// UPDATE ... RETURNING, so two callbacks racing with the same state cannot both win.
public struct SignInFlowRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    public func create(_ flow: NewSignInFlow, now: Int64, lifetime: Int64) throws(StoreError) {
        try connection.execute(
            """
            INSERT INTO sign_in_flows (state_hash, browser_hash, provider, nonce, code_verifier, redirect_uri, next_path,
                                       intent, user_id, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .blob(flow.stateHash), .blob(flow.browserHash), .text(flow.provider), .text(flow.nonce),
                .text(flow.codeVerifier), .text(flow.redirectURI), .text(flow.nextPath), .text(flow.intent.storedName),
                SQLValue(flow.intent.userID), .integer(now), .integer(now &+ max(1, lifetime)),
            ]
        )
    }

    /// Claims the unexpired, unused flow with this state started by this browser, or says why not.
    /// A refused claim changes nothing, so a replay from another browser cannot spend a flow
    /// its rightful browser is still finishing.
    public func claim(stateHash: [UInt8], browserHash: [UInt8]?, now: Int64) throws(StoreError) -> Result<SignInFlowRecord, SignInFlowRefusal> {
        if let browserHash {
            let claimed = try connection.queryOne(
                """
                UPDATE sign_in_flows SET consumed_at = ?1
                WHERE state_hash = ?2 AND browser_hash = ?3 AND consumed_at IS NULL AND expires_at > ?1
                RETURNING \(SignInFlowRecord.columns)
                """,
                [.integer(now), .blob(stateHash), .blob(browserHash)]
            )
            if let claimed { return .success(try SignInFlowRecord(row: claimed)) }
        }
        guard let row = try connection.queryOne(
            "SELECT consumed_at, expires_at, browser_hash FROM sign_in_flows WHERE state_hash = ?", [.blob(stateHash)]
        ) else { return .failure(.unknown) }
        if try row.optionalInt64("consumed_at") != nil { return .failure(.alreadyUsed) }
        if try row.int64("expires_at") <= now { return .failure(.expired) }
        return .failure(.otherBrowser)
    }

    /// Keeps a `form_post` response beside the flow whose state it carries, under the SHA-256
    /// of a fresh continuation reference. Only an unused, unexpired flow with no response yet
    /// takes one; false otherwise (nothing is written). No browser binding is checked here: the
    /// cross-site POST carries no cookie, and the continuation's GET checks it.
    public func holdPostedResponse(stateHash: [UInt8], continuationHash: [UInt8], response: String, now: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            """
            UPDATE sign_in_flows SET continuation_hash = ?1, posted_response = ?2
            WHERE state_hash = ?3 AND consumed_at IS NULL AND expires_at > ?4 AND continuation_hash IS NULL
            """,
            [.blob(continuationHash), .text(response), .blob(stateHash), .integer(now)]
        )
        return connection.changes == 1
    }

    /// Claims the flow a continuation reference names, with the response that was posted for
    /// it, on the same terms as `claim`: once, unexpired, by the browser that started it.
    public func claim(
        continuationHash: [UInt8], browserHash: [UInt8]?, now: Int64
    ) throws(StoreError) -> Result<(flow: SignInFlowRecord, postedResponse: String), SignInFlowRefusal> {
        if let browserHash {
            let claimed = try connection.queryOne(
                """
                UPDATE sign_in_flows SET consumed_at = ?1
                WHERE continuation_hash = ?2 AND browser_hash = ?3 AND consumed_at IS NULL AND expires_at > ?1
                RETURNING \(SignInFlowRecord.columns), posted_response
                """,
                [.integer(now), .blob(continuationHash), .blob(browserHash)]
            )
            if let claimed { return .success((try SignInFlowRecord(row: claimed), try claimed.string("posted_response"))) }
        }
        guard let row = try connection.queryOne(
            "SELECT consumed_at, expires_at FROM sign_in_flows WHERE continuation_hash = ?", [.blob(continuationHash)]
        ) else { return .failure(.unknown) }
        if try row.optionalInt64("consumed_at") != nil { return .failure(.alreadyUsed) }
        if try row.int64("expires_at") <= now { return .failure(.expired) }
        return .failure(.otherBrowser)
    }

    /// Deletes flows that expired before `cutoff`. Used and expired rows are kept for a while so
    /// a replay is still told apart from a forgery; after that they are only clutter.
    @discardableResult
    public func deleteExpired(before cutoff: Int64) throws(StoreError) -> Int {
        try connection.execute("DELETE FROM sign_in_flows WHERE expires_at < ?", [.integer(cutoff)])
        return connection.changes
    }
}
