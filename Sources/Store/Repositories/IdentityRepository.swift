/// Reads and writes `identities` on the connection it is given, so linking and user creation
/// share one transaction. Time is a parameter (`now`, unix seconds), never read here.
public struct IdentityRepository {
    private let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// The identity with this exact key, if any. The empty subject of a pre-provisioned link
    /// never matches here: it is found with `findUnclaimed`.
    public func find(provider: String, issuer: String, subject: String) throws(StoreError) -> IdentityRecord? {
        guard !subject.isEmpty else { return nil }
        return try connection.queryOne(
            "SELECT \(IdentityRecord.columns) FROM identities WHERE provider = ? AND issuer = ? AND subject = ?",
            [.text(provider), .text(issuer), .text(subject)]
        ).map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    public func find(id: Int64) throws(StoreError) -> IdentityRecord? {
        try connection.queryOne("SELECT \(IdentityRecord.columns) FROM identities WHERE id = ?", [.integer(id)])
            .map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// Every identity of a user, oldest link first.
    public func list(userID: Int64) throws(StoreError) -> [IdentityRecord] {
        try connection.query(
            "SELECT \(IdentityRecord.columns) FROM identities WHERE user_id = ? ORDER BY linked_at, id",
            [.integer(userID)]
        ).map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// A user's identities of one provider, empty subjects included (what the linking engine
    /// needs to tell a first link from a further one).
    public func list(userID: Int64, provider: String) throws(StoreError) -> [IdentityRecord] {
        try connection.query(
            "SELECT \(IdentityRecord.columns) FROM identities WHERE user_id = ? AND provider = ? ORDER BY id",
            [.integer(userID), .text(provider)]
        ).map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// Every identity, by user then link time, for operators (`gatehouse identities list`).
    public func all() throws(StoreError) -> [IdentityRecord] {
        try connection.query("SELECT \(IdentityRecord.columns) FROM identities ORDER BY user_id, linked_at, id", [])
            .map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// One page of identities, oldest first, narrowed by `filter`: a user's identities, or the
    /// reverse lookup of an account at a provider by its subject (under any issuer).
    public func page(_ filter: IdentityFilter, _ request: PageRequest) throws(StoreError) -> Page<IdentityRecord> {
        var query = PagedQuery()
        if let userID = filter.userID { query.require("user_id = ?", .integer(userID)) }
        if let provider = filter.provider { query.require("provider = ?", .text(provider)) }
        if let subject = filter.subject { query.require("subject = ?", .text(subject)) }
        return try query.page(
            IdentityRecord.columns, from: "identities", order: .oldestFirst, request, on: connection,
            decode: { row throws(StoreError) in try IdentityRecord(row: row) }, id: \.id
        )
    }

    /// Every identity of `provider` under `issuer` (a directory's people, for synchronisation).
    public func list(provider: String, issuer: String) throws(StoreError) -> [IdentityRecord] {
        try connection.query(
            "SELECT \(IdentityRecord.columns) FROM identities WHERE provider = ? AND issuer = ? ORDER BY id", [.text(provider), .text(issuer)]
        ).map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// The pre-provisioned or legacy identities of a provider: subject still empty.
    public func unclaimed(provider: String) throws(StoreError) -> [IdentityRecord] {
        try connection.query(
            "SELECT \(IdentityRecord.columns) FROM identities WHERE provider = ? AND subject = '' ORDER BY id", [.text(provider)]
        ).map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// Identities of a provider with this subject under another issuer: there are some after
    /// the provider's issuer changed.
    public func sameSubject(provider: String, subject: String, otherThanIssuer issuer: String) throws(StoreError) -> [IdentityRecord] {
        guard !subject.isEmpty else { return [] }
        return try connection.query(
            "SELECT \(IdentityRecord.columns) FROM identities WHERE provider = ? AND subject = ? AND issuer <> ? ORDER BY id",
            [.text(provider), .text(subject), .text(issuer)]
        ).map { row throws(StoreError) in try IdentityRecord(row: row) }
    }

    /// Gives a pre-provisioned identity its issuer and subject, only while its subject is still
    /// empty: a set subject is never overwritten. Returns false when no row changed (another
    /// sign-in filled it first, or it is gone).
    public func fillSubject(id: Int64, issuer: String, subject: String, snapshot: IdentitySnapshot, now: Int64) throws(StoreError) -> Bool {
        guard !subject.isEmpty else { throw StoreError(code: .constraintViolation, message: "a subject cannot be filled with an empty one") }
        try connection.execute(
            """
            UPDATE identities SET issuer = ?, subject = ?, email = ?, email_verified = ?, claims = ?, last_login_at = ?, upstream_idp = ?
            WHERE id = ? AND subject = ''
            """,
            [
                .text(issuer), .text(subject), SQLValue(snapshot.email), .integer(snapshot.emailVerified ? 1 : 0),
                .text(snapshot.claims), .integer(now), SQLValue(snapshot.upstreamIdP), .integer(id),
            ]
        )
        return connection.changes == 1
    }

    /// Moves a provider's identities from one issuer to another (after the provider changed its
    /// issuer URL). Refused, changing nothing, when any moved identity would collide with one
    /// already under the new issuer; the caller runs it inside its transaction.
    public func rekeyIssuer(provider: String, from oldIssuer: String, to newIssuer: String) throws(StoreError) -> Int {
        try connection.execute(
            "UPDATE identities SET issuer = ? WHERE provider = ? AND issuer = ?",
            [.text(newIssuer), .text(provider), .text(oldIssuer)]
        )
        return connection.changes
    }

    /// What moving a provider's identities from one issuer to another would do: the identities
    /// it would move, and those among them whose subject the new issuer already has (which make
    /// the move impossible).
    public func rekeyPlan(provider: String, from oldIssuer: String, to newIssuer: String) throws(StoreError) -> (moving: [Int64], colliding: [Int64]) {
        let moving = try connection.query(
            "SELECT id FROM identities WHERE provider = ? AND issuer = ? ORDER BY id", [.text(provider), .text(oldIssuer)]
        ).map { row throws(StoreError) in try row.int64("id") }
        let colliding = try connection.query(
            """
            SELECT old.id FROM identities AS old JOIN identities AS new
              ON new.provider = old.provider AND new.subject = old.subject AND new.issuer = ?
            WHERE old.provider = ? AND old.issuer = ? AND old.subject <> '' ORDER BY old.id
            """,
            [.text(newIssuer), .text(provider), .text(oldIssuer)]
        ).map { row throws(StoreError) in try row.int64("id") }
        return (moving, colliding)
    }

    /// How many identities each provider has: linked (with a subject) and pending (without).
    public func countsByProvider() throws(StoreError) -> [String: (linked: Int, pending: Int)] {
        var counts: [String: (linked: Int, pending: Int)] = [:]
        let rows = try connection.query(
            "SELECT provider, sum(subject <> '') AS linked, sum(subject = '') AS pending FROM identities GROUP BY provider", []
        )
        for row in rows {
            counts[try row.string("provider")] = (try row.int("linked"), try row.int("pending"))
        }
        return counts
    }

    /// Removes one of a user's identities; the user id guards against removing someone else's.
    public func delete(id: Int64, userID: Int64) throws(StoreError) {
        try connection.execute("DELETE FROM identities WHERE id = ? AND user_id = ?", [.integer(id), .integer(userID)])
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no such identity for that user") }
    }

    /// Links an identity to a user. A second link of the same (provider, issuer, subject)
    /// fails with `.uniqueViolation`, which callers turn into a decision, never a crash.
    public func create(
        userID: Int64, provider: String, issuer: String, subject: String,
        snapshot: IdentitySnapshot, method: LinkMethod, now: Int64
    ) throws(StoreError) -> IdentityRecord {
        let row = try connection.queryOne(
            """
            INSERT INTO identities (user_id, provider, issuer, subject, email, email_verified, claims, link_method, linked_at, last_login_at, upstream_idp)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING \(IdentityRecord.columns)
            """,
            [
                .integer(userID), .text(provider), .text(issuer), .text(subject), SQLValue(snapshot.email),
                .integer(snapshot.emailVerified ? 1 : 0), .text(snapshot.claims), .text(method.rawValue),
                .integer(now), subject.isEmpty ? .null : .integer(now), SQLValue(snapshot.upstreamIdP),
            ]
        )
        guard let row else { throw StoreError(code: .notFound, message: "the inserted identity was not returned") }
        return try IdentityRecord(row: row)
    }

    /// Refreshes what is stored of an identity from its source without a sign-in (a directory
    /// synchronisation): the email and the claims, not the last sign-in time.
    public func refreshSnapshot(id: Int64, snapshot: IdentitySnapshot) throws(StoreError) {
        try connection.execute(
            "UPDATE identities SET email = ?, email_verified = ?, claims = ? WHERE id = ?",
            [SQLValue(snapshot.email), .integer(snapshot.emailVerified ? 1 : 0), .text(snapshot.claims), .integer(id)]
        )
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no identity with that id") }
    }

    /// Records a sign-in through an identity: last use and what the provider said this time.
    public func recordSignIn(id: Int64, snapshot: IdentitySnapshot, now: Int64) throws(StoreError) {
        try connection.execute(
            "UPDATE identities SET last_login_at = ?, email = ?, email_verified = ?, claims = ?, upstream_idp = ? WHERE id = ?",
            [.integer(now), SQLValue(snapshot.email), .integer(snapshot.emailVerified ? 1 : 0), .text(snapshot.claims), SQLValue(snapshot.upstreamIdP), .integer(id)]
        )
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no identity with that id") }
    }
}

/// What an identity listing is narrowed to; nil members do not narrow it.
public struct IdentityFilter: Sendable, Equatable {
    public var userID: Int64?
    public var provider: String?
    /// Byte for byte; the empty subject finds the identities still waiting for a first sign-in.
    public var subject: String?

    public init(userID: Int64? = nil, provider: String? = nil, subject: String? = nil) {
        self.userID = userID
        self.provider = provider
        self.subject = subject
    }
}
