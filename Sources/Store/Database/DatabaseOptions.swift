/// How `Database` opens and configures its connections.
public struct DatabaseOptions: Sendable, Equatable {
    /// How long a connection waits for a lock held by another connection or process before
    /// failing with `.busy`. Set on every connection with `PRAGMA busy_timeout`.
    public var busyTimeoutMilliseconds: Int32
    /// Reader connections used side by side with the writer (file databases only; an
    /// in-memory database has one connection). Values below 1 are treated as 1.
    public var readerCount: Int
    /// Prepared statements kept per connection.
    public var statementCacheCapacity: Int
    /// The size the write-ahead log's file is cut back to when the log starts over (`PRAGMA
    /// journal_size_limit`). SQLite otherwise reuses the file and never shrinks it, so one large
    /// transaction (a migration's rebuild, a purge of a long audit log) would leave a file of its
    /// size on disk for good. Four times the log a checkpoint starts at (`Checkpointer`), so a
    /// log of everyday length is reused as it is, never cut and grown again.
    public var logSizeLimitBytes: Int64

    public init(busyTimeoutMilliseconds: Int32 = 5000, readerCount: Int = 4, statementCacheCapacity: Int = 64, logSizeLimitBytes: Int64 = 16 * 1_048_576) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.readerCount = readerCount
        self.statementCacheCapacity = statementCacheCapacity
        self.logSizeLimitBytes = logSizeLimitBytes
    }
}
