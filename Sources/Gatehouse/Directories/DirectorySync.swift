import Accounts
import Directory
import Foundation
import Logging
import Store
import Synchronization

/// What one synchronisation of a directory found and did.
public struct DirectorySyncReport: Sendable, Equatable {
    public var directory: String
    public var dryRun: Bool
    /// Entries the user search returned, and groups the group search returned.
    public var entries = 0
    public var groups = 0
    /// Identities of this directory in Gatehouse before the run.
    public var identities = 0
    /// Identities whose entry was found (brought up to date where they differed).
    public var updated = 0
    /// Of those, identities whose attributes had changed and were written.
    public var refreshed = 0
    /// Users deactivated (their entry gone or disabled), with their sessions revoked.
    public var deactivated = 0
    public var sessionsRevoked = 0
    /// Sessions whose groups changed.
    public var sessionsRegrouped = 0
    public var durationSeconds = 0.0
    /// Why the run stopped before changing anything, or nil when it ran through.
    public var stopped: String?
    /// Whether any batch of changes was committed.
    var hasWritten = false

    /// One line of `key=value` pairs: the log line, the audit detail and the command's output.
    public var summary: String {
        var parts = ["directory=\(directory)", "dry_run=\(dryRun)", "entries=\(entries)", "groups=\(groups)", "identities=\(identities)",
                     "updated=\(updated)", "refreshed=\(refreshed)", "deactivated=\(deactivated)", "sessions_revoked=\(sessionsRevoked)",
                     "sessions_regrouped=\(sessionsRegrouped)", String(format: "duration_seconds=%.3f", durationSeconds)]
        if let stopped { parts.append("stopped=\(stopped)") }
        return parts.joined(separator: "; ")
    }
}

/// Why a synchronisation could not run, or stopped for shutdown (`isShutdown`).
public struct DirectorySyncError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Gatehouse is shutting down (`DirectorySync.askToStop`): the run ended before its next
    /// write, or did not start.
    public var isShutdown = false
    public var description: String { message }
}

/// Reads a directory's people and groups and reconciles Gatehouse with them (issue 15 section
/// 4): each identity whose entry is found gets its snapshot refreshed and its live sessions
/// the entry's current groups; each whose entry is gone or disabled has its user deactivated
/// and every session revoked in the same transaction (forward-auth refuses them at the next
/// request). Nothing is ever deleted. What changes is decided on one read snapshot, beside the
/// writer, and only that is written, `changesPerTransaction` at a time.
///
/// Two brakes stop a run before it writes anything: a directory that returns no entry (a wrong
/// base DN, a filter typo, a replica being rebuilt), and one that would deactivate more than
/// `sync_max_deactivation_percent` of the directory's active users. Either is reported, logged
/// and audited; the operator decides.
///
/// One run of a directory at a time: a second caller is refused at once, never queued.
final class DirectorySync: Sendable {
    let source: DirectorySource
    let database: Database
    let logger: Logger
    let clock: @Sendable () -> Int64
    private let running = Mutex(false)
    /// Set by `askToStop`: a run in progress ends before its next write, and none starts after.
    private let stopping = Atomic<Bool>(false)
    /// How long a sync's lease lasts: far longer than a sync takes (10,000 people in about a
    /// second), and short enough that a process that died holding it blocks the next run for
    /// minutes, not for good.
    static let leaseSeconds: Int64 = 600
    /// This process's name on the leases it takes: its pid and a random part, so two processes
    /// (or one restarted with the same pid) never take each other's lease for their own.
    static let leaseHolder: String = {
        let random = (try? SessionToken.generate().cookieValue.prefix(16)).map(String.init) ?? "\(UInt64.random(in: 0...UInt64.max))"
        return "pid-\(getpid())-\(random)"
    }()
    /// The last finished run, for the admin view and `/metrics`.
    private let lastReport = Mutex<DirectorySyncReport?>(nil)
    /// Runs by result, for `/metrics`.
    private let counts = Mutex<[Outcome: Int]>([:])

    /// How a run ended, as `/metrics` labels it.
    enum Outcome: String, CaseIterable, Sendable {
        case finished
        /// A brake stopped it before it changed anything, or shutdown did (before its next write).
        case stopped
        /// The directory or the database failed. Batches already committed stay; the trail
        /// says what they changed (`directory.sync_failed`).
        case failed
    }

    /// Runs so far by how they ended.
    var outcomes: [Outcome: Int] { counts.withLock { $0 } }

    init(
        source: DirectorySource, database: Database, logger: Logger, clock: @escaping @Sendable () -> Int64,
        changesPerTransaction: Int = DirectorySync.defaultChangesPerTransaction
    ) {
        self.changesPerTransaction = max(1, changesPerTransaction)
        self.source = source
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    var last: DirectorySyncReport? { lastReport.withLock { $0 } }

    /// Whether a run is in progress in this process.
    var isRunning: Bool { running.withLock { $0 } }
    /// Whether `askToStop` was called: no run starts, and one in progress ends before its next write.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// For shutdown, first: a run in progress ends before its next write or its next directory
    /// entry (releasing its lease, auditing the stop and what its committed batches changed),
    /// and none starts after. Review finding: the database closed under a scheduled run, which
    /// failed and kept its lease, so no process could synchronise the directory for ten minutes.
    func askToStop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// For shutdown, last before the database closes: waits until `deadline` for a run asked to
    /// stop to end. A run still going then (a directory that has not answered its page yet) has
    /// its lease given back here, so the next process need not wait for it; false then.
    func finishStopping(by deadline: ContinuousClock.Instant) -> Bool {
        while isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        guard isRunning else { return true }
        releaseLease()
        return false
    }

    private func releaseLease() {
        _ = try? database.write { connection in
            try DirectorySyncLeaseRepository(connection).release(directory: source.config.slug, holder: Self.leaseHolder)
        }
    }

    private func stopIfAsked() throws {
        guard isStopping else { return }
        throw DirectorySyncError(message: "Gatehouse is shutting down", isShutdown: true)
    }

    /// The search's entry callback's check: a run asked to stop reads no further.
    private func stopReadingIfAsked() throws(DirectoryError) {
        guard isStopping else { return }
        throw DirectoryError(.cancelled, "Gatehouse is shutting down")
    }

    func run(dryRun: Bool, actor: String) throws -> DirectorySyncReport {
        let claimed = running.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard claimed else { throw DirectorySyncError(message: "a synchronisation of \(source.config.slug) is already running") }
        defer { running.withLock { $0 = false } }
        // And across processes: the server's schedule, an operator's command, another instance.
        let holder = Self.leaseHolder
        let leased = try database.write { connection in
            try DirectorySyncLeaseRepository(connection).claim(
                directory: source.config.slug, holder: holder, now: clock(), expiresAt: clock() + Self.leaseSeconds
            )
        }
        guard leased else {
            throw DirectorySyncError(message: "a synchronisation of \(source.config.slug) is already running in another process")
        }
        defer { releaseLease() }
        let started = ContinuousClock.now
        var report = DirectorySyncReport(directory: source.config.slug, dryRun: dryRun)
        logger.info("directory sync started", metadata: ["directory": "\(source.config.slug)", "dry_run": "\(dryRun)"])
        let measure = { (report: inout DirectorySyncReport) in
            let elapsed = ContinuousClock.now - started
            report.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        do {
            // Checked after the lease is taken, so a run stopped here gives it back.
            try stopIfAsked()
            try reconcile(&report, dryRun: dryRun, actor: actor)
        } catch {
            measure(&report)
            let forShutdown = (error as? DirectorySyncError)?.isShutdown == true || (error as? DirectoryError)?.code == .cancelled
            if forShutdown {
                report.stopped = "shutdown"
                logger.warning("directory sync stopped for shutdown", metadata: ["summary": "\(report.summary)"])
            } else {
                logger.error("directory sync failed", metadata: ["directory": "\(source.config.slug)", "error": "\(error)", "summary": "\(report.summary)"])
            }
            counts.withLock { $0[forShutdown ? .stopped : .failed, default: 0] += 1 }
            // Batches already committed stay: the trail says what they changed (review finding).
            if report.hasWritten || forShutdown {
                _ = try? database.write { connection in
                    try AuditRecorder.record(
                        report.hasWritten ? .directorySyncFailed : .directorySyncStopped, requestID: nil, now: clock(), detail: report.summary,
                        actor: actor, provider: source.config.slug, in: connection
                    )
                }
            }
            if forShutdown { throw DirectorySyncError(message: "Gatehouse is shutting down", isShutdown: true) }
            throw error
        }
        measure(&report)
        let event: AuditEvent = report.stopped == nil ? .directorySynced : .directorySyncStopped
        try database.write { connection in
            try AuditRecorder.record(event, requestID: nil, now: clock(), detail: report.summary, actor: actor, provider: source.config.slug, in: connection)
        }
        if report.stopped == nil {
            logger.info("directory sync finished", metadata: ["summary": "\(report.summary)"])
        } else {
            logger.warning("directory sync stopped before changing anything", metadata: ["summary": "\(report.summary)"])
        }
        lastReport.withLock { $0 = report }
        counts.withLock { $0[report.stopped == nil ? .finished : .stopped, default: 0] += 1 }
        return report
    }

    private struct Found {
        let signIn: AccountLinking.VerifiedSignIn
        let groups: [String]
        let disabled: Bool
    }

    /// What a run changes for one identity whose entry was found: its snapshot when the entry
    /// says something new, its live sessions' groups when any session has others.
    private struct Refresh {
        let identityID: Int64
        let snapshot: IdentitySnapshot?
        let groups: [String]?
    }

    /// The changes a run makes are written this many to a transaction, each batch its own, so
    /// that sign-ins' writes run between them. Review finding: the whole reconciliation was one
    /// transaction, which held the database's one writer for about a second for 10,000 people,
    /// and for a directory ten times that size longer than the busy timeout, so every sign-in
    /// meanwhile answered "busy".
    static let defaultChangesPerTransaction = 500
    let changesPerTransaction: Int

    private func reconcile(_ report: inout DirectorySyncReport, dryRun: Bool, actor: String) throws {
        let config = source.config
        var found: [String: Found] = [:]
        var entries: [DirectoryEntry] = []
        try source.client.search(
            base: config.userBaseDN, filter: config.userFilter, attributes: DirectoryIdentity.attributes(config)
        ) { entry throws(DirectoryError) in
            try stopReadingIfAsked()
            entries.append(entry)
        }
        report.entries = entries.count
        let membership = try groupsByMember()
        report.groups = membership.groupCount
        for entry in entries {
            guard let signIn = DirectoryIdentity.verifiedSignIn(entry, config: config) else { continue }
            let groups = SessionGroups.kept(membership.groups(of: entry, config: config), preferring: source.requiredGroups)
            found[signIn.identity.subject] = Found(signIn: signIn, groups: groups, disabled: DirectoryIdentity.isDisabled(entry, config: config))
        }

        // Decided on one snapshot, read beside the writer; written after, in batches.
        var refreshes: [Refresh] = []
        var deactivate: Set<Int64> = []
        try database.read { connection in
            let identities = try IdentityRepository(connection).list(provider: config.slug, issuer: config.issuer)
            let users = UserRepository(connection)
            let sessions = SessionRepository(connection)
            report.identities = identities.count
            var activeUsers: Set<Int64> = []
            for identity in identities {
                let entry = found[identity.subject].flatMap { $0.disabled ? nil : $0 }
                if let user = try users.find(id: identity.userID), user.isActive {
                    activeUsers.insert(user.id)
                    if entry == nil { deactivate.insert(user.id) }
                }
                guard let entry else { continue }
                report.updated += 1
                let seen = IncomingAttributes(identity: entry.signIn.identity, policy: config.policy)
                let snapshot = IdentitySnapshot(email: seen.email, emailVerified: seen.emailVerified, claims: entry.signIn.claimsJSON)
                let isNew = snapshot.email != identity.email || snapshot.emailVerified != identity.emailVerified || snapshot.claims != identity.claims
                let regroup = try sessions.hasLiveSessions(identityID: identity.id, withGroupsOtherThan: entry.groups)
                if isNew || regroup {
                    refreshes.append(Refresh(identityID: identity.id, snapshot: isNew ? snapshot : nil, groups: regroup ? entry.groups : nil))
                }
            }
            if entries.isEmpty && !identities.isEmpty {
                report.stopped = "directory_returned_nothing"
            } else if !activeUsers.isEmpty, deactivate.count * 100 > config.syncMaximumDeactivationPercent * activeUsers.count {
                report.stopped = "would_deactivate_\(deactivate.count)_of_\(activeUsers.count)_over_\(config.syncMaximumDeactivationPercent)_percent"
            }
        }
        if report.stopped != nil {
            report.updated = 0
            return
        }
        try stopIfAsked()
        guard !dryRun else {
            // What a run would write, as far as this snapshot tells.
            report.refreshed = refreshes.filter { $0.snapshot != nil }.count
            report.deactivated = deactivate.count
            return
        }

        // Each batch's counts join the report once it has committed.
        for batch in refreshes.batches(of: changesPerTransaction) {
            try stopIfAsked()
            let (refreshed, regrouped) = try database.write { connection -> (Int, Int) in
                var (refreshed, regrouped) = (0, 0)
                for refresh in batch {
                    if let snapshot = refresh.snapshot {
                        // An identity unlinked since the decision is simply gone.
                        do {
                            try IdentityRepository(connection).refreshSnapshot(id: refresh.identityID, snapshot: snapshot)
                            refreshed += 1
                        } catch let error as StoreError where error.code == .notFound {}
                    }
                    if let groups = refresh.groups {
                        regrouped += try SessionRepository(connection).replaceGroups(identityID: refresh.identityID, groups: groups)
                    }
                }
                return (refreshed, regrouped)
            }
            report.refreshed += refreshed
            report.sessionsRegrouped += regrouped
            report.hasWritten = true
        }
        let now = clock()
        for batch in deactivate.sorted().batches(of: changesPerTransaction) {
            try stopIfAsked()
            let (deactivated, revoked) = try database.write { connection -> (Int, Int) in
                var (deactivated, revokedInBatch) = (0, 0)
                for userID in batch {
                    // A user deactivated (or deleted) since the decision is left as it is.
                    guard try UserRepository(connection).deactivateIfActive(id: userID, now: now) else { continue }
                    // Every session of theirs, in the same transaction.
                    let revoked = try SessionRepository(connection).revokeAll(userID: userID, now: now)
                    try AuditRecorder.record(
                        .userDeactivated, userID: userID, requestID: nil, now: now,
                        detail: "directory=\(config.slug); reason=not_found_or_disabled; sessions_revoked=\(revoked)",
                        actor: actor, provider: config.slug, in: connection
                    )
                    deactivated += 1
                    revokedInBatch += revoked
                }
                return (deactivated, revokedInBatch)
            }
            report.deactivated += deactivated
            report.sessionsRevoked += revoked
            report.hasWritten = true
        }
    }

    /// Group names by member DN (lower-cased), read once per run.
    private struct Membership {
        var byMember: [String: Set<String>] = [:]
        var parents: [String: [String]] = [:]
        var names: [String: String] = [:]
        var groupCount = 0

        func groups(of entry: DirectoryEntry, config: DirectoryConfig) -> [String] {
            switch config.membership {
            case .member:
                return (byMember[entry.dn.lowercased()] ?? []).sorted()
            case .memberOf:
                // Every group was read once for the run: the walk looks them up here.
                let lookup = { (dn: String) throws(DirectoryError) -> (name: String?, memberOf: [String]) in
                    (names[dn.lowercased()], parents[dn.lowercased()] ?? [])
                }
                return (try? DirectoryGroups.nested(from: entry.strings("memberOf"), group: lookup)) ?? []
            }
        }
    }

    private func groupsByMember() throws -> Membership {
        let config = source.config
        var membership = Membership()
        try source.client.search(
            base: config.groupBaseDN, filter: config.groupFilter, attributes: [config.groupNameAttribute, "member", "memberOf"]
        ) { group throws(DirectoryError) in
            try stopReadingIfAsked()
            guard let name = group.strings(config.groupNameAttribute).first else { return }
            membership.groupCount += 1
            let dn = group.dn.lowercased()
            membership.names[dn] = name
            membership.parents[dn] = group.strings("memberOf").map { $0.lowercased() }
            for member in group.strings("member") { membership.byMember[member.lowercased(), default: []].insert(name) }
        }
        return membership
    }
}

private extension Array {
    /// The elements in consecutive runs of `size` (the last may be shorter).
    func batches(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
