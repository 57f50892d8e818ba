/// `database`: the SQLite file and how Gatehouse uses it.
public struct DatabaseConfig: Sendable, Equatable {
    /// `database.path`: the SQLite file, relative to the working directory unless absolute.
    public var path: String
    /// `database.busy_timeout_ms`: how long a statement waits for a lock held by another
    /// connection before failing with SQLITE_BUSY.
    public var busyTimeoutMilliseconds: Int
    /// `database.migrate_on_start`: whether `serve` applies pending migrations before it
    /// listens. Turn off to run `gatehouse migrate` as a separate deployment step.
    public var migrateOnStart: Bool
    /// `database.audit_retention_days`: audit entries and link decisions older than this are
    /// deleted by the periodic purge, so the database's size stays bounded.
    public var auditRetentionDays: Int

    public init(
        path: String = "var/gatehouse.sqlite3", busyTimeoutMilliseconds: Int = 5000, migrateOnStart: Bool = true,
        auditRetentionDays: Int = 400
    ) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.migrateOnStart = migrateOnStart
        self.auditRetentionDays = auditRetentionDays
    }

    static let keys = ["path", "busy_timeout_ms", "migrate_on_start", "audit_retention_days"]

    static func decode(_ reader: ObjectReader) -> DatabaseConfig {
        let defaults = DatabaseConfig()
        return DatabaseConfig(
            path: reader.value("path", .nonEmptyString) ?? defaults.path,
            // Up to ten minutes: a longer wait hides a stuck writer instead of reporting it.
            busyTimeoutMilliseconds: reader.value("busy_timeout_ms", .integer(1...600_000)) ?? defaults.busyTimeoutMilliseconds,
            migrateOnStart: reader.value("migrate_on_start", .boolean) ?? defaults.migrateOnStart,
            auditRetentionDays: reader.value("audit_retention_days", .integer(1...36_500)) ?? defaults.auditRetentionDays
        )
    }
}
