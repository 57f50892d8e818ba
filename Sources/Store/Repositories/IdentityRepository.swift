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

    /// Links an identity to a user. A second link of the same (provider, issuer, subject)
    /// fails with `.uniqueViolation`, which callers turn into a decision, never a crash.
    public func create(
        userID: Int64, provider: String, issuer: String, subject: String,
        snapshot: IdentitySnapshot, method: LinkMethod, now: Int64
    ) throws(StoreError) -> IdentityRecord {
        let row = try connection.queryOne(
            """
            INSERT INTO identities (user_id, provider, issuer, subject, email, email_verified, claims, link_method, linked_at, last_login_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING \(IdentityRecord.columns)
            """,
            [
                .integer(userID), .text(provider), .text(issuer), .text(subject), SQLValue(snapshot.email),
                .integer(snapshot.emailVerified ? 1 : 0), .text(snapshot.claims), .text(method.rawValue),
                .integer(now), subject.isEmpty ? .null : .integer(now),
            ]
        )
        guard let row else { throw StoreError(code: .notFound, message: "the inserted identity was not returned") }
        return try IdentityRecord(row: row)
    }

    /// Records a sign-in through an identity: last use and what the provider said this time.
    public func recordSignIn(id: Int64, snapshot: IdentitySnapshot, now: Int64) throws(StoreError) {
        try connection.execute(
            "UPDATE identities SET last_login_at = ?, email = ?, email_verified = ?, claims = ? WHERE id = ?",
            [.integer(now), SQLValue(snapshot.email), .integer(snapshot.emailVerified ? 1 : 0), .text(snapshot.claims), .integer(id)]
        )
        guard connection.changes == 1 else { throw StoreError(code: .notFound, message: "no identity with that id") }
    }
}
