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
    /// `database.max_pending_sign_in_flows`: how many unexpired sign-in flows may be stored at
    /// once. Anyone can start a sign-in, and each start stores a flow for ten minutes; past this
    /// many, a start makes room, from expired flows or else the oldest of the client block that
    /// holds the most (`SignInFlowRepository.create`), so a flood of starts cannot fill the disk.
    /// The default allows a sustained 166 starts a second.
    public var maxPendingSignInFlows: Int
    /// `database.max_sign_in_starts_per_client`: how many sign-ins one client (an IPv4 address,
    /// an IPv6 /64) may start in ten minutes, a flow's lifetime; past it a start is refused (a
    /// 429 page) and writes nothing. Without it one client could fill `max_pending_sign_in_flows`
    /// alone and hold everyone else's sign-ins at a 503.
    public var maxSignInStartsPerClient: Int
    /// `database.max_unauthenticated_audit_entries`: how many audit entries that need no
    /// authentication to cause (failed passwords, refused callbacks, the admin API without a
    /// usable token, logout tokens that end no session) are kept, shared equally by their kinds;
    /// past its share, each new one removes the oldest of its own kind. Denied link decisions are
    /// kept to the same number, shared by their reasons (migration 0018). Retention bounds them in
    /// time, this in count, so a flood of attempts cannot grow the log without limit, nor erase
    /// another kind's trail.
    public var maxUnauthenticatedAuditEntries: Int

    public init(
        path: String = "var/gatehouse.sqlite3", busyTimeoutMilliseconds: Int = 5000, migrateOnStart: Bool = true,
        auditRetentionDays: Int = 400, maxPendingSignInFlows: Int = 100_000, maxSignInStartsPerClient: Int = 10_000,
        maxUnauthenticatedAuditEntries: Int = 500_000
    ) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.migrateOnStart = migrateOnStart
        self.auditRetentionDays = auditRetentionDays
        self.maxPendingSignInFlows = maxPendingSignInFlows
        self.maxSignInStartsPerClient = maxSignInStartsPerClient
        self.maxUnauthenticatedAuditEntries = maxUnauthenticatedAuditEntries
    }

    static let keys = [
        "path", "busy_timeout_ms", "migrate_on_start", "audit_retention_days", "max_pending_sign_in_flows",
        "max_sign_in_starts_per_client", "max_unauthenticated_audit_entries",
    ]

    static func decode(_ reader: ObjectReader) -> DatabaseConfig {
        let defaults = DatabaseConfig()
        return DatabaseConfig(
            path: reader.value("path", .nonEmptyString) ?? defaults.path,
            // Up to ten minutes: a longer wait hides a stuck writer instead of reporting it.
            busyTimeoutMilliseconds: reader.value("busy_timeout_ms", .integer(1...600_000)) ?? defaults.busyTimeoutMilliseconds,
            migrateOnStart: reader.value("migrate_on_start", .boolean) ?? defaults.migrateOnStart,
            auditRetentionDays: reader.value("audit_retention_days", .integer(1...36_500)) ?? defaults.auditRetentionDays,
            maxPendingSignInFlows: reader.value("max_pending_sign_in_flows", .integer(1...100_000_000)) ?? defaults.maxPendingSignInFlows,
            maxSignInStartsPerClient: reader.value("max_sign_in_starts_per_client", .integer(1...100_000_000))
                ?? defaults.maxSignInStartsPerClient,
            maxUnauthenticatedAuditEntries: reader.value("max_unauthenticated_audit_entries", .integer(1...100_000_000))
                ?? defaults.maxUnauthenticatedAuditEntries
        )
    }
}
