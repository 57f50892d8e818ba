/// The leases that keep one synchronisation of a directory running at a time, across every
/// process on the database (`directory_sync_leases`).
public struct DirectorySyncLeaseRepository {
    let connection: Connection

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Takes the lease of `directory` for `holder` until `expiresAt`: true when it was free (or
    /// its holder's time ran out), false when another holder has it now.
    public func claim(directory: String, holder: String, now: Int64, expiresAt: Int64) throws(StoreError) -> Bool {
        try connection.execute(
            """
            INSERT INTO directory_sync_leases (directory, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (directory) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE directory_sync_leases.expires_at <= ?
            """,
            [.text(directory), .text(holder), .integer(expiresAt), .integer(now)]
        )
        return connection.changes == 1
    }

    /// Gives the lease back, if `holder` still has it.
    public func release(directory: String, holder: String) throws(StoreError) {
        try connection.execute("DELETE FROM directory_sync_leases WHERE directory = ? AND holder = ?", [.text(directory), .text(holder)])
    }
}
