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

    public init(busyTimeoutMilliseconds: Int32 = 5000, readerCount: Int = 4, statementCacheCapacity: Int = 64) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.readerCount = readerCount
        self.statementCacheCapacity = statementCacheCapacity
    }
}
