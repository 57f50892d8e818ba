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

    /// Deletes flows that expired before `cutoff`. Used and expired rows are kept for a while so
    /// a replay is still told apart from a forgery; after that they are only clutter.
    @discardableResult
    public func deleteExpired(before cutoff: Int64) throws(StoreError) -> Int {
        try connection.execute("DELETE FROM sign_in_flows WHERE expires_at < ?", [.integer(cutoff)])
        return connection.changes
    }
}
