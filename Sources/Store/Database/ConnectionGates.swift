import Foundation

// The two places where a non-Sendable `Connection` is shared between threads. Each is
// `@unchecked Sendable` for one reason, stated on the type, and nothing else is.

/// The writer connection behind a lock: SQLite allows one writer at a time, and serializing
/// in-process writers here means they queue on a cheap lock instead of spinning in
/// `busy_timeout`. The wait for the lock is bounded by the same busy timeout: a writer that
/// hangs (or another process that holds the database) makes the writers behind it fail with
/// `.busy` in bounded time, never queue without end.
///
/// `@unchecked Sendable`: `connection` is only touched while `lock` is held.
final class SerializedConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: Connection?
    private let waitLimit: TimeInterval

    init(_ connection: Connection, waitLimit: TimeInterval) {
        self.connection = connection
        self.waitLimit = waitLimit
    }

    /// Runs `body` with the connection, holding the lock. Not reentrant: calling it again from
    /// inside `body` on the same thread deadlocks, so `Database` documents that writes (and, on
    /// an in-memory database, reads) do not nest.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        // The clock is read only when the lock is taken: the common case costs no more than before.
        guard lock.try() || lock.lock(before: Date(timeIntervalSinceNow: waitLimit)) else {
            throw StoreError(code: .busy, message: "another write held the database longer than the busy timeout")
        }
        defer { lock.unlock() }
        guard let connection else { throw StoreError.closed() }
        return try body(connection)
    }

    /// Like `withConnection`, but only if the lock is free right now: nil, and `body` not run,
    /// when another thread holds it.
    func withConnectionIfFree<T>(_ body: (Connection) throws -> T) throws -> T? {
        guard lock.try() else { return nil }
        defer { lock.unlock() }
        guard let connection else { throw StoreError.closed() }
        return try body(connection)
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        connection?.close()
        connection = nil
    }
}

/// A fixed set of reader connections; a reader is checked out for one `read` and returned.
/// When all are busy the caller waits for one to come back, at most the busy timeout.
///
/// `@unchecked Sendable`: `idle` and `isClosed` are only touched while `condition` is held,
/// and a checked-out connection belongs to exactly one thread until it is released.
final class ReaderPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [Connection]
    private var isClosed = false
    private let waitLimit: TimeInterval

    init(_ connections: [Connection], waitLimit: TimeInterval) {
        self.idle = connections
        self.waitLimit = waitLimit
    }

    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    private func checkOut() throws(StoreError) -> Connection {
        condition.lock()
        defer { condition.unlock() }
        if idle.isEmpty && !isClosed {
            // Only a caller that must wait reads the clock (forward-auth checks out a reader per request).
            let deadline = Date(timeIntervalSinceNow: waitLimit)
            while idle.isEmpty && !isClosed {
                // A reader checked in just as the wait timed out still counts (review finding).
                guard condition.wait(until: deadline) || !idle.isEmpty || isClosed else {
                    throw StoreError(code: .busy, message: "every reader stayed busy longer than the busy timeout")
                }
            }
        }
        guard !isClosed, let connection = idle.popLast() else { throw .closed() }
        return connection
    }

    private func checkIn(_ connection: Connection) {
        condition.lock()
        defer { condition.unlock() }
        if isClosed {
            connection.close()
        } else {
            idle.append(connection)
            condition.signal()
        }
    }

    /// Closes idle readers now; readers still in use are closed when they come back.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        isClosed = true
        idle.forEach { $0.close() }
        idle.removeAll()
        condition.broadcast()
    }
}
