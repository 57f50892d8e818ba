import Crypto

/// One versioned schema change, as shipped in `migrations/NNNN_name.sql`.
///
/// An applied migration is never edited: the migrator stores `checksum` with each applied
/// version and refuses a database whose recorded checksum differs from the binary's copy.
public struct Migration: Sendable, Equatable {
    /// Position in the sequence, starting at 1 and contiguous.
    public let version: Int
    /// The file name's part after `NNNN_`, such as `initial`.
    public let name: String
    /// The SQL, possibly with `-- gatehouse:` directives (see `Migrator`).
    public let sql: String
    /// Lowercase hexadecimal SHA-256 of the UTF-8 bytes of `sql`.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Digest.hex(Digest.sha256(Array(sql.utf8)))
    }

    /// The file name without `.sql`, such as `0001_initial`, for messages.
    public var identifier: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name
    }
}
