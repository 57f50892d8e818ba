import CSQLite
import Foundation
import Synchronization

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
/// `@unchecked Sendable`: `connection` is only touched while `connectionLock` is held; the rest
/// is a constant or behind its mutex.
final class Checkpointer: @unchecked Sendable {
    /// The log length, in pages, past which a checkpoint starts (SQLite's own default).
    static let framesBetweenCheckpoints: Int32 = 1000

    private struct State {
        var running = false
        var isClosed = false
        var completed = 0
    }

    private let path: String
    private let state = Mutex(State())
    /// Held while a checkpoint runs and while closing, so the connection is never closed under it.
    let connectionLock = NSLock()
    private var connection: Connection?

    init(path: String) {
        self.path = path
    }

    /// Checkpoints finished so far.
    var completedCount: Int { state.withLock { $0.completed } }

    /// Reports every commit of `writer` to this checkpointer in place of the automatic checkpoint.
    func watch(_ writer: Connection) throws(StoreError) {
        let handle = try writer.requireHandle()
        sqlite3_wal_hook(handle, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().committed(walFrames: frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// After a commit, with the log's length in pages: starts a checkpoint when the log is long
    /// enough and none is running. Returns at once.
    func committed(walFrames: Int32) {
        guard walFrames >= Self.framesBetweenCheckpoints else { return }
        let start = state.withLock { state -> Bool in
            guard !state.running && !state.isClosed else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        // It inherits the starting thread's signal mask: in a server every thread has SIGTERM and
        // SIGINT blocked from the start (`ShutdownSignals.capture`), so they stay for the waiter.
        let thread = Thread { [self] in checkpoint() }
        thread.name = "gatehouse.checkpoint"
        thread.start()
    }

    private func checkpoint() {
        connectionLock.lock()
        if !state.withLock({ $0.isClosed }) {
            if connection == nil {
                connection = try? Connection(path: path, flags: SQLITE_OPEN_READWRITE, busyTimeoutMilliseconds: 0, statementCacheCapacity: 0)
            }
            // As a statement, not `sqlite3_wal_checkpoint_v2`: a connection that has read nothing
            // yet does not know the file is in WAL mode, and the call would quietly do nothing.
            _ = try? connection?.queryOne("PRAGMA wal_checkpoint(PASSIVE)")
        }
        connectionLock.unlock()
        state.withLock {
            $0.running = false
            $0.completed += 1
        }
    }

    /// Waits for a checkpoint in progress, then closes the connection; none starts after.
    func close() {
        state.withLock { $0.isClosed = true }
        connectionLock.lock()
        connection?.close()
        connection = nil
        connectionLock.unlock()
    }
}
