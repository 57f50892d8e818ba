/// Reads and writes `sign_in_flows`. A flow is claimed at most once: `claim` is a single
/// UPDATE ... RETURNING, so two callbacks racing with the same state cannot both win.
public struct SignInFlowRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Stores `flow`; anyone can start a sign-in, so `capacity` bounds the table between purges.
    /// At capacity, up to `reclaimedAtOnce` expired flows are deleted first (a busy server keeps
    /// starting sign-ins as fast as old ones expire); if that makes no room, the oldest flow of
    /// the client block holding the most flows goes, still unexpired.
    ///
    /// Refusing instead let a few clients, each within its share of starts, keep the table full
    /// and every person's sign-in at a 503; evicting the oldest flows of all let ten clients'
    /// bursts replace the whole table (review findings). A flood now evicts its own flows first,
    /// and a person's flow goes only when their block holds at least as many as any other
    /// (ties by the block's text). No flow is stored, and none unexpired deleted, only when more
    /// than `reclaimedAtOnce` would have to go (the capacity was lowered below what is stored),
    /// until the purge catches up.
    @discardableResult
    public func create(_ flow: NewSignInFlow, now: Int64, lifetime: Int64, capacity: Int64 = .max) throws(StoreError) -> FlowStorage {
        var evicted = 0
        if try storedCount() >= capacity {
            // A flow expiring at `now` is already refused by `claim` (it takes expires_at > now).
            try deleteExpired(before: now &+ 1, atMost: Self.reclaimedAtOnce)
            let over = try storedCount() - capacity + 1
            if over > 0 {
                guard over <= Int64(Self.reclaimedAtOnce) else { return .full }
                for _ in 0..<over { try evictOneFromTheFullestClient() }
                evicted = Int(over)
            }
        }
        try connection.execute(
            """
            INSERT INTO sign_in_flows (state_hash, browser_hash, provider, nonce, code_verifier, redirect_uri, next_path,
                                       intent, user_id, created_at, expires_at, client_block)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .blob(flow.stateHash), .blob(flow.browserHash), .text(flow.provider), .text(flow.nonce),
                .text(flow.codeVerifier), .text(flow.redirectURI), .text(flow.nextPath), .text(flow.intent.storedName),
                SQLValue(flow.intent.userID), .integer(now), .integer(now &+ max(1, lifetime)), .text(String(flow.clientBlock.prefix(64))),
            ]
        )
        return evicted == 0 ? .stored : .storedEvictingOldest(evicted)
    }

    /// Deletes the oldest flow of the client block holding the most; when every block holds
    /// one, the oldest flow of all (many people, no flood).
    private func evictOneFromTheFullestClient() throws(StoreError) {
        guard let fullest = try connection.queryOne(
            "SELECT client_block, stored FROM sign_in_flow_clients ORDER BY stored DESC LIMIT 1"
        ) else { return }
        if try fullest.int64("stored") > 1 {
            try connection.execute(
                "DELETE FROM sign_in_flows WHERE id = (SELECT id FROM sign_in_flows WHERE client_block = ? ORDER BY id LIMIT 1)",
                [.text(try fullest.string("client_block"))]
            )
        } else {
            try connection.execute("DELETE FROM sign_in_flows WHERE id = (SELECT min(id) FROM sign_in_flows)")
        }
    }

    /// How many flows are stored, as the triggers of migration 0019 count them: one lookup
    /// whatever the count.
    public func storedCount() throws(StoreError) -> Int64 {
        try connection.queryOne("SELECT stored FROM sign_in_flow_count WHERE id = 1")?.int64(at: 0) ?? 0
    }

    /// Enough to keep pace with a flood's expiring flows (a start at capacity frees room for a
    /// hundred more), few enough that a start on an event loop spends under a millisecond on it
    /// (0.8 ms measured here for a hundred with their commit, beside 100,000 stored), and only
    /// at capacity.
    static let reclaimedAtOnce = 100

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

    /// Deletes flows that expired before `cutoff`, the first to expire first, `atMost` of them
    /// when given. Used and expired rows are kept for a while so a replay is still told apart
    /// from a forgery; after that they are only clutter.
    @discardableResult
    public func deleteExpired(before cutoff: Int64, atMost limit: Int? = nil) throws(StoreError) -> Int {
        if let limit {
            try connection.execute(
                """
                DELETE FROM sign_in_flows WHERE id IN
                    (SELECT id FROM sign_in_flows WHERE expires_at < ? ORDER BY expires_at LIMIT ?)
                """,
                [.integer(cutoff), .integer(Int64(limit))]
            )
        } else {
            try connection.execute("DELETE FROM sign_in_flows WHERE expires_at < ?", [.integer(cutoff)])
        }
        return connection.changes
    }
}
