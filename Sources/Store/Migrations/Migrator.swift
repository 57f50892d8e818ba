/// Applies versioned migrations, forward only.
///
/// Before applying anything the migrator refuses a database it must not touch: one holding a
/// version this binary does not know (`.databaseNewerThanBinary`), one whose applied migration
/// was edited since (`.migrationChecksumMismatch`), or one with a gap below its current
/// version. Each pending migration then runs in its own `BEGIN IMMEDIATE` transaction together
/// with its row in `schema_migrations`, so a failure leaves the database exactly at the
/// previous version (`.migrationFailed`, or `.rowCountMismatch` from a rebuild check).
///
/// Migrations run with `foreign_keys` off, as SQLite's table-rebuild procedure requires:
/// otherwise dropping a rebuilt parent table would cascade-delete its children. Before the
/// commit, `PRAGMA foreign_key_check` must come back empty, so no violation is ever committed.
/// Transaction control (BEGIN, COMMIT, SAVEPOINT...) inside migration SQL is refused.
///
/// Table rebuilds are guarded with a directive line; see `MigrationStep` and migrations/README.md:
///
///     CREATE TABLE users_new (...);
///     INSERT INTO users_new (...) SELECT ... FROM users;
///     -- gatehouse:rebuild-check users users_new
///     DROP TABLE users;
///     ALTER TABLE users_new RENAME TO users;
public struct Migrator: Sendable {
    /// The known migrations, by version.
    public let migrations: [Migration]

    /// Validates the list: versions from 1 upwards without duplicates, non-empty names, and
    /// well-formed directives.
    public init(migrations: [Migration] = EmbeddedMigrations.all) throws(StoreError) {
        let sorted = migrations.sorted { $0.version < $1.version }
        var seen = Set<Int>()
        for migration in sorted {
            guard migration.version >= 1, seen.insert(migration.version).inserted else {
                throw StoreError(code: .invalidMigration, message: "migration versions must be unique and at least 1 (\(migration.identifier))")
            }
            guard !migration.name.isEmpty, !migration.name.contains(where: \.isNewline) else {
                throw StoreError(code: .invalidMigration, message: "migration \(migration.version) has an invalid name")
            }
            _ = try migration.steps()
        }
        self.migrations = sorted
    }

    /// Reads where `database` stands. Does not create or change anything.
    public func status(of database: Database) throws(StoreError) -> MigrationStatus {
        try Self.storeErrors {
            try database.read { connection in
                MigrationStatus(known: migrations, applied: try Self.appliedMigrations(connection))
            }
        }
    }

    /// Applies every pending migration in order and returns those it applied (empty when the
    /// database was already current). `now` (unix seconds) is recorded as `applied_at`.
    @discardableResult
    public func migrate(_ database: Database, now: Int64) throws(StoreError) -> [Migration] {
        let status = try Self.storeErrors {
            try database.write { connection in
                try connection.executeScript(Self.createSchemaMigrations)
                return MigrationStatus(known: migrations, applied: try Self.appliedMigrations(connection))
            }
        }
        if let refusal = status.refusal { throw refusal }

        var applied: [Migration] = []
        for (index, migration) in status.pending.enumerated() {
            // Each migration's own check afterwards covers the next one's start.
            if try apply(migration, to: database, now: now, checkingEarlierViolations: index == 0) {
                applied.append(migration)
            }
        }
        return applied
    }

    static let createSchemaMigrations = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        )
        """

    /// Applies one migration; false when another process applied it first.
    private func apply(_ migration: Migration, to database: Database, now: Int64, checkingEarlierViolations: Bool) throws(StoreError) -> Bool {
        try Self.storeErrors {
            try database.writeWithoutTransaction { connection in
                // Must be set outside a transaction; inside one it is silently ignored.
                try connection.execute("PRAGMA foreign_keys = OFF")
                let outcome: Result<Bool, StoreError>
                do throws(StoreError) {
                    outcome = .success(try applyInTransaction(migration, connection: connection, now: now, checkingEarlierViolations: checkingEarlierViolations))
                } catch {
                    outcome = .failure(error)
                }
                try connection.execute("PRAGMA foreign_keys = ON")
                return try outcome.get()
            }
        }
    }

    private func applyInTransaction(_ migration: Migration, connection: Connection, now: Int64, checkingEarlierViolations: Bool) throws(StoreError) -> Bool {
        try connection.execute("BEGIN IMMEDIATE")
        do throws(StoreError) {
            // Look again inside the write lock: another process may have migrated meanwhile.
            let status = MigrationStatus(known: migrations, applied: try Self.appliedMigrations(connection))
            if let refusal = status.refusal { throw refusal }
            guard status.pending.first == migration else {
                try connection.execute("COMMIT")
                return false
            }

            // A row written with foreign keys off (by hand, in the sqlite3 shell) would fail the
            // check after this migration and be blamed on it (review finding): said as what it is.
            // (A migration meant to repair such rows would have to be run apart from this check.)
            let before = checkingEarlierViolations ? try connection.query("PRAGMA foreign_key_check") : []
            if let first = before.first {
                throw StoreError.migrationNotStarted(
                    migration,
                    reason: Self.describeViolations(before.count, first: first)
                        + " already in the database, written with foreign keys off: list them with PRAGMA foreign_key_check"
                        + " in sqlite3, repair or delete those rows, and migrate again"
                )
            }

            try connection.denyingTransactionControl { () throws(StoreError) in
                for step in try migration.steps() {
                    switch step {
                    case .sql(let sql):
                        do throws(StoreError) {
                            try connection.executeScript(sql)
                        } catch {
                            throw .migrationFailed(migration, reason: error.message, resultCode: error.resultCode)
                        }
                    case .rebuildCheck(let oldTable, let newTable):
                        try Self.checkRowCounts(migration, oldTable: oldTable, newTable: newTable, connection: connection)
                    }
                }
            }

            let violations = try connection.query("PRAGMA foreign_key_check")
            if let first = violations.first {
                throw StoreError.migrationFailed(migration, reason: "it leaves " + Self.describeViolations(violations.count, first: first))
            }
            try connection.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                [.integer(Int64(migration.version)), .text(migration.name), .text(migration.checksum), .integer(now)]
            )
            try connection.execute("COMMIT")
            return true
        } catch {
            connection.rollbackIfNeeded()
            throw error
        }
    }

    /// "3 foreign key violation(s), the first in table identities (row 7, naming a missing row of users)".
    private static func describeViolations(_ count: Int, first: Row) -> String {
        let table = (try? first.string(at: 0)) ?? "?"
        let row = (try? first.int64(at: 1)).map { "row \($0)" } ?? "a row without rowid"
        let parent = (try? first.string(at: 2)) ?? "?"
        return "\(count) foreign key violation(s), the first in table \(table) (\(row), naming a missing row of \(parent))"
    }

    private static func checkRowCounts(
        _ migration: Migration, oldTable: String, newTable: String, connection: Connection
    ) throws(StoreError) {
        func count(_ table: String) throws(StoreError) -> Int64 {
            do throws(StoreError) {
                // The names were checked to be plain identifiers, so quoting cannot be escaped.
                guard let row = try connection.queryOne("SELECT count(*) FROM \"\(table)\"") else { return 0 }
                return try row.int64(at: 0)
            } catch {
                throw .migrationFailed(migration, reason: "rebuild check cannot count \(table): \(error.message)", resultCode: error.resultCode)
            }
        }
        let oldCount = try count(oldTable)
        let newCount = try count(newTable)
        guard oldCount == newCount else {
            throw StoreError(
                code: .rowCountMismatch,
                message: "migration \(migration.identifier) was rolled back: its table rebuild copied \(newCount) row(s) "
                    + "into \(newTable) but \(oldTable) has \(oldCount); \(oldTable) was not dropped"
            )
        }
    }

    static func appliedMigrations(_ connection: Connection) throws(StoreError) -> [MigrationStatus.AppliedMigration] {
        let exists = try connection.queryOne(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )
        guard exists != nil else { return [] }
        var applied: [MigrationStatus.AppliedMigration] = []
        for row in try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version") {
            guard let version = Int(exactly: try row.int64("version")) else {
                throw .typeMismatch("schema_migrations holds a version out of range")
            }
            applied.append(.init(
                version: version, name: try row.string("name"),
                checksum: try row.string("checksum"), appliedAt: try row.int64("applied_at")
            ))
        }
        return applied
    }

    /// `Database.read`/`write` rethrow whatever their body throws; the bodies here only throw
    /// `StoreError`, and this restores the type.
    private static func storeErrors<T>(_ work: () throws -> T) throws(StoreError) -> T {
        do {
            return try work()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .sqlite, message: "unexpected error \(type(of: error))")
        }
    }
}
