import CSQLite
import Foundation
import Synchronization

/// A SQLite database: one writer connection, serialized, and a small pool of readers used
/// concurrently beside it; a thread can also be given a reader of its own
/// (`dedicateReaderToCurrentThread`).
///
/// File databases run in WAL mode, so readers see the last committed state while a write is
/// in progress and never block it. An in-memory database (`":memory:"`) exists only inside
/// its one connection, so there reads go through the writer's lock too; the API and its
/// guarantees stay the same, which lets every test run against both kinds.
///
/// Every connection gets `foreign_keys=ON` and the configured `busy_timeout`; the writer of a
/// file database also sets `journal_mode=WAL` and `synchronous=NORMAL` (durable in WAL mode
/// except for the last transactions on power loss, never corrupt), and leaves checkpoints to a
/// thread of their own (`Checkpointer`), so no commit waits for one. Readers run with
/// `query_only=ON`, so a write inside `read` fails with `.readOnly` instead of racing the writer.
public final class Database: Sendable {
    /// The path this database was opened with.
    public let path: String
    let options: DatabaseOptions
    /// True for `":memory:"` (and `""`, SQLite's private temporary database, which is equally
    /// invisible to a second connection).
    public let isInMemory: Bool
    private let writer: SerializedConnection
    /// Nil for an in-memory database, whose reads use the writer.
    private let readers: ReaderPool?
    /// Nil for an in-memory database, which has no log to copy back.
    let checkpointer: Checkpointer?
    private let finishedWrites = Atomic<UInt64>(0)
    /// Tells this database's thread readers (`ThreadReaders`) from another's, even one opened
    /// later at the same address.
    private let identity: UInt64
    private static let identities = Atomic<UInt64>(0)
    /// The readers threads were given (`dedicateReaderToCurrentThread`), so `close` closes them.
    private let threadReaderConnections = Mutex<(connections: [SerializedConnection], isClosed: Bool)>(([], false))

    public init(path: String, options: DatabaseOptions = .init()) throws(StoreError) {
        self.identity = Self.identities.add(1, ordering: .relaxed).newValue
        self.options = options
        self.path = path
        self.isInMemory = path == ":memory:" || path.isEmpty
        let writerConnection = try Connection(
            path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
            busyTimeoutMilliseconds: options.busyTimeoutMilliseconds,
            statementCacheCapacity: options.statementCacheCapacity
        )
        try Self.configureWriter(writerConnection, inMemory: isInMemory, logSizeLimitBytes: options.logSizeLimitBytes)
        let waitLimit = Self.waitLimit(options)
        self.writer = SerializedConnection(writerConnection, waitLimit: waitLimit)

        if isInMemory {
            self.readers = nil
            self.checkpointer = nil
        } else {
            let checkpointer = Checkpointer(path: path)
            try checkpointer.watch(writerConnection)
            self.checkpointer = checkpointer
            var readerConnections: [Connection] = []
            for _ in 0..<max(1, options.readerCount) {
                readerConnections.append(try Self.openReader(path: path, options: options))
            }
            self.readers = ReaderPool(readerConnections, waitLimit: waitLimit)
        }
    }

    private static func openReader(path: String, options: DatabaseOptions) throws(StoreError) -> Connection {
        let reader = try Connection(
            path: path, flags: SQLITE_OPEN_READWRITE,
            busyTimeoutMilliseconds: options.busyTimeoutMilliseconds,
            statementCacheCapacity: options.statementCacheCapacity
        )
        try reader.execute("PRAGMA foreign_keys = ON")
        try reader.execute("PRAGMA query_only = ON")
        return reader
    }

    /// How long a caller waits for the writer's lock or a pooled reader: the busy timeout.
    private static func waitLimit(_ options: DatabaseOptions) -> TimeInterval {
        TimeInterval(max(0, options.busyTimeoutMilliseconds)) / 1000
    }

    private static func configureWriter(_ connection: Connection, inMemory: Bool, logSizeLimitBytes: Int64) throws(StoreError) {
        try connection.execute("PRAGMA foreign_keys = ON")
        guard !inMemory else { return }
        // journal_mode answers with the mode it ended up in; anything but WAL is refused
        // rather than silently running with readers that block the writer.
        let mode = try connection.queryOne("PRAGMA journal_mode = WAL")?.string(at: 0)
        guard mode?.lowercased() == "wal" else {
            throw StoreError(code: .cannotOpen, message: "the database could not be switched to WAL mode")
        }
        try connection.execute("PRAGMA synchronous = NORMAL")
        _ = try connection.queryOne("PRAGMA journal_size_limit = \(max(0, logSizeLimitBytes))")
    }

    /// The write-ahead log file's size in bytes (0 for an in-memory database, or while there is
    /// no log file).
    public var logFileBytes: Int64 {
        guard !isInMemory, let size = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber else { return 0 }
        return size.int64Value
    }

    /// What `/metrics` shows of the database: its size, its log's, and the rows it holds.
    public func statistics() throws -> DatabaseStatistics {
        let logBytes = logFileBytes
        return try read { connection in try DatabaseStatistics.read(connection, logBytes: logBytes) }
    }

    /// Runs `body` in a read transaction, so every query in it sees the same snapshot.
    /// Writes inside fail with `.readOnly`. Reads run concurrently with each other and with
    /// the writer on a file database.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        guard let readers else {
            return try writer.withConnection { connection in
                try connection.execute("PRAGMA query_only = ON")
                defer { try? connection.execute("PRAGMA query_only = OFF") }
                return try Self.inTransaction(connection, begin: "BEGIN DEFERRED", body)
            }
        }
        return try withReader(readers) { connection in
            try Self.inTransaction(connection, begin: "BEGIN DEFERRED", body)
        }
    }

    /// Like `read`, for a `body` that runs exactly one statement: a single SELECT already reads
    /// one consistent snapshot, so the BEGIN and COMMIT around it are skipped (two fewer steps
    /// on the forward-auth hot path). A body that runs more than one statement must use `read`.
    public func readSingleStatement<T>(_ body: (Connection) throws -> T) throws -> T {
        guard let readers else { return try read(body) }
        return try withReader(readers) { connection in
            defer { connection.rollbackIfNeeded() }
            return try body(connection)
        }
    }

    /// Runs `body` on the calling thread's own reader when it has one that is free, else on one
    /// from `pool` (waiting up to the busy timeout for one).
    private func withReader<T>(_ pool: ReaderPool, _ body: (Connection) throws -> T) throws -> T {
        guard let own = ThreadReaders.reader(for: identity), !own.isInUse else { return try pool.withConnection(body) }
        own.isInUse = true
        defer { own.isInUse = false }
        return try own.connection.withConnection(body)
    }

    /// Gives the calling thread a reader connection of its own, which its reads use from now
    /// on instead of the shared pool's. For an event loop's thread: a read there (forward-auth,
    /// `/api/v1/me`) would otherwise wait, and with it every connection of the loop, while
    /// slower reads elsewhere (an admin listing, `/metrics`' counts, a directory's
    /// reconciliation) held every pooled reader. Nothing for an in-memory database, or a thread
    /// that has one already. Call `releaseCurrentThreadsReader` on the same thread before it ends.
    public func dedicateReaderToCurrentThread() throws(StoreError) {
        guard !isInMemory, ThreadReaders.reader(for: identity) == nil else { return }
        let reader = SerializedConnection(try Self.openReader(path: path, options: options), waitLimit: Self.waitLimit(options))
        let registered = threadReaderConnections.withLock { state in
            guard !state.isClosed else { return false }
            state.connections.append(reader)
            return true
        }
        guard registered, ThreadReaders.set(ThreadReader(reader), for: identity) else {
            threadReaderConnections.withLock { state in state.connections.removeAll { $0 === reader } }
            reader.close()
            if !registered { throw .closed() }
            return
        }
    }

    /// Closes the calling thread's own reader, if it has one; its reads use the pool again.
    public func releaseCurrentThreadsReader() {
        guard let own = ThreadReaders.reader(for: identity) else { return }
        ThreadReaders.set(nil, for: identity)
        threadReaderConnections.withLock { state in state.connections.removeAll { $0 === own.connection } }
        own.connection.close()
    }

    /// How many `write` and `writeWithoutTransaction` calls on this `Database` have finished
    /// (committed or not). It moves after the commit and before the writer is released, so a
    /// cache of something read from this database can note the count before its read and
    /// know, while the count is unchanged, that no write made through this `Database` since
    /// can have changed what it read. Writes by other processes or other `Database` values on
    /// the same file are not counted.
    public var writeCount: UInt64 { finishedWrites.load(ordering: .acquiring) }

    /// Runs `body` in an immediate transaction on the writer: commits when it returns, rolls
    /// back when it throws. Writes are serialized; do not call `write` (or, on an in-memory
    /// database, `read`) from inside `body`, which would wait for itself.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        try writer.withConnection { connection in
            defer { countFinishedWrite() }
            return try Self.inTransaction(connection, begin: "BEGIN IMMEDIATE", body)
        }
    }

    /// Like `write`, but only when no other write holds the writer right now: nil, and nothing
    /// run, otherwise. For writes that may be skipped and that must never wait (forward-auth's
    /// session touch, on the path of every request to every protected application).
    ///
    /// Idle means idle for the file too: another process's write (an operator's `gatehouse
    /// users` command, a second instance) makes the begin fail at once instead of waiting out the
    /// busy timeout, and that is nil as well.
    public func writeIfIdle<T>(_ body: (Connection) throws -> T) throws -> T? {
        let result = try writer.withConnectionIfFree { connection -> T? in
            defer { countFinishedWrite() }
            connection.setBusyTimeout(milliseconds: 0)
            defer { connection.setBusyTimeout(milliseconds: options.busyTimeoutMilliseconds) }
            do {
                try connection.execute("BEGIN IMMEDIATE")
            } catch let error as StoreError where error.code == .busy {
                return nil
            }
            return try Self.committed(connection, body)
        }
        return result ?? nil
    }

    /// Runs `body` on the writer, serialized but with no transaction around it, for work that
    /// must happen outside one (such as `PRAGMA foreign_keys`, which is a no-op inside a
    /// transaction). `body` is responsible for its own transactions; one it leaves open is
    /// rolled back.
    public func writeWithoutTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try writer.withConnection { connection in
            defer {
                connection.rollbackIfNeeded()
                countFinishedWrite()
            }
            return try body(connection)
        }
    }

    private func countFinishedWrite() {
        finishedWrites.add(1, ordering: .releasing)
    }

    /// Closes every connection. Later calls fail with `.closed`; a read in progress finishes
    /// first. Safe to call more than once.
    public func close() {
        let threadReaders = threadReaderConnections.withLock { state in
            state.isClosed = true
            return state.connections
        }
        threadReaders.forEach { $0.close() }
        readers?.close()
        writer.close()
        checkpointer?.close()
    }

    private static func inTransaction<T>(
        _ connection: Connection, begin: String, _ body: (Connection) throws -> T
    ) throws -> T {
        try connection.execute(begin)
        return try committed(connection, body)
    }

    /// Runs `body` in the transaction just begun: commits when it returns, rolls back when it throws.
    private static func committed<T>(_ connection: Connection, _ body: (Connection) throws -> T) throws -> T {
        do {
            let result = try body(connection)
            try connection.execute("COMMIT")
            return result
        } catch {
            connection.rollbackIfNeeded()
            throw error
        }
    }
}
