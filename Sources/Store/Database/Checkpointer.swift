import CSQLite
import Foundation

/// Copies the write-ahead log back into the database file beside the writers, on a thread of its
/// own, so that no commit waits for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that commit
/// copies about a thousand pages and syncs the file, a few milliseconds on a fast disk and far
/// more on a slow one. Some commits run on an event loop (a sign-in's start, a session's touch),
/// where those milliseconds would stall every connection of the loop. So the writer's commits
/// only report how long the log has grown (a WAL hook, which also switches the automatic
/// checkpoint off); past `framesBetweenCheckpoints`, a passive checkpoint runs here, on a
/// connection of its own. A passive checkpoint takes no lock that a reader or the writer waits
/// for: it copies what no reader still needs, and the next one copies the rest.
///
/// The thread stays for the next checkpoint while commits keep coming (`idleSeconds`): under a
/// steady load the log seldom starts over, since the writer commits while a checkpoint copies,
/// so every commit past the threshold asks for one, and a thread each was 77 threads started in
/// 300 sign-ins.
///
/// `@unchecked Sendable`: `connection` is only touched while `connectionLock` is held; the rest
/// is a constant or behind `condition`.
final class Checkpointer: @unchecked Sendable {
    /// The log length, in pages, past which a checkpoint starts (SQLite's own default).
    static let framesBetweenCheckpoints: Int32 = 1000
    /// How long the thread waits for another checkpoint to be asked before it ends.
    static let idleSeconds: TimeInterval = 30

    private struct State {
        var requested = false
        var hasThread = false
        var running = false
        var isClosed = false
        var completed = 0
        var threadsStarted = 0
    }

    private let path: String
    private let condition = NSCondition()
    private var state = State()
    /// Held while a checkpoint runs and while closing, so the connection is never closed under it.
    let connectionLock = NSLock()
    private var connection: Connection?

    init(path: String) {
        self.path = path
    }

    /// Checkpoints finished so far.
    var completedCount: Int { withState { $0.completed } }
    /// Threads started for checkpoints so far.
    var threadsStarted: Int { withState { $0.threadsStarted } }

    private func withState<T>(_ body: (inout State) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(&state)
    }

    /// Reports every commit of `writer` to this checkpointer in place of the automatic checkpoint.
    func watch(_ writer: Connection) throws(StoreError) {
        let handle = try writer.requireHandle()
        sqlite3_wal_hook(handle, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().committed(walFrames: frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// After a commit, with the log's length in pages: asks for a checkpoint when the log is long
    /// enough and none is running or asked for already. Returns at once.
    func committed(walFrames: Int32) {
        guard walFrames >= Self.framesBetweenCheckpoints else { return }
        condition.lock()
        defer { condition.unlock() }
        guard !state.running && !state.requested && !state.isClosed else { return }
        state.requested = true
        guard !state.hasThread else {
            condition.signal()
            return
        }
        state.hasThread = true
        state.threadsStarted += 1
        // It inherits the starting thread's signal mask: in a server every thread has SIGTERM and
        // SIGINT blocked from the start (`ShutdownSignals.capture`), so they stay for the waiter.
        let thread = Thread { [self] in checkpointWhileAsked() }
        thread.name = "gatehouse.checkpoint"
        thread.start()
    }

    /// The thread's life: a checkpoint each time one is asked, until none is for `idleSeconds`
    /// or the database closes.
    private func checkpointWhileAsked() {
        condition.lock()
        while !state.isClosed {
            guard state.requested else {
                if !condition.wait(until: Date(timeIntervalSinceNow: Self.idleSeconds)) && !state.requested { break }
                continue
            }
            state.requested = false
            state.running = true
            condition.unlock()
            checkpoint()
            condition.lock()
            state.running = false
            state.completed += 1
        }
        state.hasThread = false
        condition.unlock()
    }

    private func checkpoint() {
        connectionLock.lock()
        defer { connectionLock.unlock() }
        guard !withState({ $0.isClosed }) else { return }
        if connection == nil {
            connection = try? Connection(path: path, flags: SQLITE_OPEN_READWRITE, busyTimeoutMilliseconds: 0, statementCacheCapacity: 0)
        }
        // As a statement, not `sqlite3_wal_checkpoint_v2`: a connection that has read nothing
        // yet does not know the file is in WAL mode, and the call would quietly do nothing.
        _ = try? connection?.queryOne("PRAGMA wal_checkpoint(PASSIVE)")
    }

    /// Waits for a checkpoint in progress, then closes the connection; none starts after.
    func close() {
        withState { state in
            state.isClosed = true
            condition.signal()
        }
        connectionLock.lock()
        connection?.close()
        connection = nil
        connectionLock.unlock()
    }
}
