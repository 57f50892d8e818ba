/// Where a database stands against the binary's migrations; what `/readyz` reports.
public struct MigrationStatus: Sendable, Equatable {
    /// A row of `schema_migrations`.
    public struct AppliedMigration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let checksum: String
        /// Unix seconds.
        public let appliedAt: Int64
    }

    /// Everything recorded in `schema_migrations`, by version.
    public let applied: [AppliedMigration]
    /// The binary's migrations not applied yet, by version.
    public let pending: [Migration]
    /// Applied versions this binary does not know: a newer binary migrated the database.
    public let unknownVersions: [Int]
    /// Applied migrations whose recorded checksum differs from the binary's SQL.
    public let changedMigrations: [Migration]

    /// The highest applied version, or nil for a fresh database.
    public var currentVersion: Int? { applied.last?.version }

    /// True when every known migration is applied and nothing is amiss.
    public var isCurrent: Bool {
        pending.isEmpty && unknownVersions.isEmpty && changedMigrations.isEmpty
    }

    init(known: [Migration], applied: [AppliedMigration]) {
        let appliedByVersion = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        let knownVersions = Set(known.map(\.version))
        self.applied = applied.sorted { $0.version < $1.version }
        self.pending = known.filter { appliedByVersion[$0.version] == nil }
        self.unknownVersions = self.applied.map(\.version).filter { !knownVersions.contains($0) }
        self.changedMigrations = known.filter { migration in
            appliedByVersion[migration.version].map { $0.checksum != migration.checksum } ?? false
        }
    }

    /// Why this binary cannot serve the database as it is, in words for an operator, or nil when
    /// it is current: the migrator's refusal (a newer binary migrated it, an applied migration
    /// was edited) or the migrations still to apply. A refused database is never "pending".
    public var notCurrentReason: String? {
        if isCurrent { return nil }
        if let refusal { return refusal.message }
        return "the database has \(pending.count) pending migration(s); run `gatehouse migrate`"
    }

    /// The reason the migrator must refuse this database, checked before anything is applied.
    var refusal: StoreError? {
        if !unknownVersions.isEmpty {
            let versions = unknownVersions.map(String.init).joined(separator: ", ")
            return StoreError(
                code: .databaseNewerThanBinary,
                message: "the database has migration version(s) \(versions), which this binary does not know: "
                    + "a newer gatehouse migrated it; run that version or restore a backup"
            )
        }
        if let changed = changedMigrations.first {
            return StoreError(
                code: .migrationChecksumMismatch,
                message: "migration \(changed.identifier) was edited after it was applied "
                    + "(its checksum differs from the one recorded); applied migrations must never change"
            )
        }
        if let firstPending = pending.first, let current = currentVersion, firstPending.version < current {
            return StoreError(
                code: .invalidMigration,
                message: "migration \(firstPending.identifier) is pending but version \(current) is already applied; "
                    + "migrations are applied strictly in order"
            )
        }
        return nil
    }
}
