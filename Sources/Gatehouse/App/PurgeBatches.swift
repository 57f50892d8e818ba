import Foundation
import Store

/// How the purge deletes: at most `size` rows in each write transaction, a rest after each, and
/// batch after batch until nothing is left.
///
/// Batches, because one transaction that deleted a whole backlog (millions of audit entries past
/// retention, after an upgrade or a shortened `audit_retention_days`) held the one writer for
/// seconds, and every sign-in's write behind it failed at the 5 s busy timeout. A batch of 2,000
/// rows, each found through an index, takes the writer for milliseconds.
///
/// Until nothing is left, rather than a fixed number of batches per run: the purge runs every ten
/// minutes on a thread of its own, so a long run delays nothing but itself, while stopping early
/// would leave rows past the retention the configuration promises, and a backlog that grows
/// faster than a fixed number of batches clears would never clear. What protects sign-ins is the
/// rest between batches, not the length of the run.
///
/// A rest after each batch, as long as the batch took and at least a millisecond: the writer's
/// lock is not fair, and a purge that began its next batch the moment it committed would usually
/// take the lock again before a waiting sign-in woke up to it. With the rest, a waiting write gets
/// the writer within one batch, and the purge holds it at most about half the time.
public struct PurgeBatches: Sendable {
    /// The most rows one write transaction deletes.
    public var size: Int
    /// Called after each batch's commit, outside any transaction, with how long the batch took.
    public var rest: @Sendable (_ batchTook: Duration) -> Void

    public init(size: Int = 2_000, rest: @escaping @Sendable (_ batchTook: Duration) -> Void = PurgeBatches.restAsLongAsTheBatch) {
        self.size = max(1, size)
        self.rest = rest
    }

    /// Sleeps as long as the batch took, at least a millisecond.
    public static let restAsLongAsTheBatch: @Sendable (Duration) -> Void = { took in
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        Thread.sleep(forTimeInterval: max(0.001, seconds))
    }

    /// Runs the steps of a walk, each in a write transaction of its own, until one says nothing is
    /// left; returns how many rows they deleted in all. A step deletes at most `size` rows.
    func walk(on database: Database, _ step: (Connection, _ size: Int) throws -> (deleted: Int, more: Bool)) throws -> Int {
        var deleted = 0
        var more = true
        while more {
            let started = ContinuousClock.now
            let done = try database.write { connection in try step(connection, size) }
            deleted += done.deleted
            more = done.more
            rest(ContinuousClock.now - started)
        }
        return deleted
    }

    /// Runs `batch`, which deletes the first `size` rows it finds, in write transactions of its
    /// own until one deletes fewer; returns how many rows they deleted in all.
    func run(on database: Database, _ batch: (Connection, _ size: Int) throws -> Int) throws -> Int {
        try walk(on: database) { connection, size in
            let deleted = try batch(connection, size)
            return (deleted, deleted >= size)
        }
    }
}
