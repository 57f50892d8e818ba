import CSQLite

/// Every failure the store reports.
///
/// Callers switch on `code`, which is a struct rather than an enum so that adding a code later
/// never breaks an exhaustive `switch` somewhere else. `message` comes from SQLite or from the
/// store itself and never contains a bound value: bindings can be secrets (token hashes,
/// e-mail addresses), and errors end up in logs.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A SQLite failure with no more specific code; see `resultCode`.
        public static let sqlite = Code("sqlite")
        /// A UNIQUE or PRIMARY KEY constraint refused the row.
        public static let uniqueViolation = Code("uniqueViolation")
        /// A FOREIGN KEY constraint refused the change.
        public static let foreignKeyViolation = Code("foreignKeyViolation")
        /// A CHECK constraint refused the row.
        public static let checkViolation = Code("checkViolation")
        /// A NOT NULL constraint refused the row.
        public static let notNullViolation = Code("notNullViolation")
        /// Another constraint (trigger RAISE, datatype of a STRICT table, ...) refused the change.
        public static let constraintViolation = Code("constraintViolation")
        /// The database stayed locked for longer than the busy timeout.
        public static let busy = Code("busy")
        /// A write was attempted where only reads are allowed (inside `Database.read`).
        public static let readOnly = Code("readOnly")
        /// The database file could not be opened or configured.
        public static let cannotOpen = Code("cannotOpen")
        /// The database (or this connection) has been closed.
        public static let closed = Code("closed")
        /// A row that had to exist does not.
        public static let notFound = Code("notFound")
        /// A column held a value of another type than the one asked for, or NULL where a value was required.
        public static let typeMismatch = Code("typeMismatch")
        /// A row was asked for a column the query did not select.
        public static let columnNotFound = Code("columnNotFound")
        /// The number of bindings differs from the number of parameters in the statement.
        public static let bindingCountMismatch = Code("bindingCountMismatch")
        /// A single-statement call was given more than one statement.
        public static let multipleStatements = Code("multipleStatements")
        /// A bound text or blob is larger than SQLite accepts.
        public static let valueTooLarge = Code("valueTooLarge")
        /// The migration list given to the migrator is itself invalid (duplicate or non-positive versions, bad names).
        public static let invalidMigration = Code("invalidMigration")
        /// An applied migration's SQL differs from the binary's copy: applied migrations are never edited.
        public static let migrationChecksumMismatch = Code("migrationChecksumMismatch")
        /// The database holds a migration this binary does not know: a newer binary migrated it.
        public static let databaseNewerThanBinary = Code("databaseNewerThanBinary")
        /// A migration failed and was rolled back; the database stays at the previous version.
        public static let migrationFailed = Code("migrationFailed")
        /// A table rebuild lost or gained rows while copying; the migration was rolled back.
        public static let rowCountMismatch = Code("rowCountMismatch")
        /// A new username differs from another user's only by case, width or look-alike
        /// characters (the same TR39 skeleton).
        public static let confusableUsername = Code("confusableUsername")
        /// Another user already holds this email address verified (`users_verified_email_key`,
        /// migration 0023): a verified address has one owner.
        public static let verifiedEmailTaken = Code("verifiedEmailTaken")
    }

    public let code: Code
    /// SQLite's extended result code when SQLite reported the failure, otherwise nil.
    public let resultCode: Int32?
    /// A human-readable explanation, free of bound values.
    public let message: String
    /// Where the error was made, for diagnosis.
    public let fileID: String
    public let line: Int

    public init(code: Code, resultCode: Int32? = nil, message: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.resultCode = resultCode
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    /// Two errors are equal when they say the same thing; where they were made does not matter.
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        lhs.code == rhs.code && lhs.resultCode == rhs.resultCode && lhs.message == rhs.message
    }

    public var description: String {
        if let resultCode {
            return "StoreError.\(code) (SQLite \(resultCode)): \(message)"
        }
        return "StoreError.\(code): \(message)"
    }
}

extension StoreError {
    /// Classifies a SQLite extended result code so constraint failures can be told apart.
    static func sqlite(
        resultCode: Int32, message: String, fileID: String = #fileID, line: Int = #line
    ) -> StoreError {
        StoreError(code: code(forResultCode: resultCode), resultCode: resultCode, message: message, fileID: fileID, line: line)
    }

    /// Reads the current error of `handle`. SQLite's messages name tables, columns and
    /// constraint expressions, never the values that were bound.
    static func sqlite(
        resultCode: Int32, handle: OpaquePointer?, fileID: String = #fileID, line: Int = #line
    ) -> StoreError {
        let text = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(resultCode))
        return sqlite(resultCode: resultCode, message: text, fileID: fileID, line: line)
    }

    // The extended constraint codes are macros of the form `(SQLITE_CONSTRAINT | (n<<8))`,
    // which Swift does not import; these mirror sqlite3.h.
    private static let constraintCheck = SQLITE_CONSTRAINT | (1 << 8)
    private static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    private static let constraintNotNull = SQLITE_CONSTRAINT | (5 << 8)
    private static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    private static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
    private static let constraintRowID = SQLITE_CONSTRAINT | (10 << 8)

    static func code(forResultCode resultCode: Int32) -> Code {
        switch resultCode {
        case constraintUnique, constraintPrimaryKey, constraintRowID: .uniqueViolation
        case constraintForeignKey: .foreignKeyViolation
        case constraintCheck: .checkViolation
        case constraintNotNull: .notNullViolation
        default:
            switch resultCode & 0xFF {
            case SQLITE_CONSTRAINT: .constraintViolation
            case SQLITE_BUSY, SQLITE_LOCKED: .busy
            case SQLITE_READONLY: .readOnly
            case SQLITE_CANTOPEN, SQLITE_NOTADB: .cannotOpen
            default: .sqlite
            }
        }
    }

    static func closed(fileID: String = #fileID, line: Int = #line) -> StoreError {
        StoreError(code: .closed, message: "the database is closed", fileID: fileID, line: line)
    }

    static func notFound(_ what: String, fileID: String = #fileID, line: Int = #line) -> StoreError {
        StoreError(code: .notFound, message: "\(what) not found", fileID: fileID, line: line)
    }

    static func typeMismatch(_ message: String, fileID: String = #fileID, line: Int = #line) -> StoreError {
        StoreError(code: .typeMismatch, message: message, fileID: fileID, line: line)
    }

    /// A migration refused before it ran, for a reason in the database it found.
    static func migrationNotStarted(_ migration: Migration, reason: String, fileID: String = #fileID, line: Int = #line) -> StoreError {
        StoreError(code: .migrationFailed, message: "migration \(migration.identifier) was not started: \(reason)", fileID: fileID, line: line)
    }

    static func migrationFailed(
        _ migration: Migration, reason: String, resultCode: Int32? = nil, fileID: String = #fileID, line: Int = #line
    ) -> StoreError {
        StoreError(
            code: .migrationFailed, resultCode: resultCode,
            message: "migration \(migration.identifier) failed and was rolled back: \(reason)",
            fileID: fileID, line: line
        )
    }
}
