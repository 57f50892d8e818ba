import Dispatch
import Foundation
import Store
import Testing
import TestSupport

/// A thread given a reader of its own (`dedicateReaderToCurrentThread`, what each event loop
/// does) reads without taking one from the shared pool.
@Suite("Thread readers")
struct ThreadReaderTests {
    /// Runs `body` on a thread of its own and returns what it returned (or rethrows).
    static func onNewThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let result = Locked<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        }.start()
        done.wait()
        return try #require(result.withLock { $0 }).get()
    }

    /// Runs `body` while a thread of its own holds the pool's only reader in a read.
    static func whileThePoolIsHeld<T>(_ database: Database, _ body: () throws -> T) throws -> T {
        try whileHeld({ wait in _ = try? database.read { _ in wait() } }, body)
    }

    static func oneRow(_ database: Database, value: Int64) throws {
        try database.write { connection in
            try connection.execute("CREATE TABLE t (v INTEGER)")
            try connection.execute("INSERT INTO t VALUES (?)", [.integer(value)])
        }
    }

    static func value(_ database: Database) throws -> Int64? {
        try database.read { try $0.queryOne("SELECT v FROM t")?.int64(at: 0) }
    }

    static let onePooledReader = DatabaseOptions(busyTimeoutMilliseconds: 100, readerCount: 1)

    @Test func aThreadsOwnReaderReadsWhileThePoolIsHeld() throws {
        try withDatabase(.file, options: Self.onePooledReader) { database in
            try Self.oneRow(database, value: 7)
            try Self.whileThePoolIsHeld(database) {
                let withoutOne = try Self.onNewThread { storeError { _ = try Self.value(database) }?.code }
                #expect(withoutOne == .busy, "the pool's only reader is held, so a thread without its own waits, then fails")
                let withOne = try Self.onNewThread { () throws -> Int64? in
                    try database.dedicateReaderToCurrentThread()
                    defer { database.releaseCurrentThreadsReader() }
                    return try Self.value(database)
                }
                #expect(withOne == 7)
            }
        }
    }

    /// A read inside a read cannot use the reader the outer one holds; it takes a pooled one
    /// rather than wait for itself until the busy timeout.
    @Test func aReadNestedInAnotherTakesAPooledReader() throws {
        try withDatabase(.file, options: Self.onePooledReader) { database in
            try Self.oneRow(database, value: 7)
            let nested = try Self.onNewThread { () throws -> Int64? in
                try database.dedicateReaderToCurrentThread()
                defer { database.releaseCurrentThreadsReader() }
                return try database.read { _ in try Self.value(database) }
            }
            #expect(nested == 7)
        }
    }

    /// Each database has its own: a thread's reader of one file never answers for another.
    @Test func aThreadsReaderBelongsToOneDatabase() throws {
        try withDatabase(.file) { first in
            try withDatabase(.file) { second in
                try Self.oneRow(first, value: 1)
                try Self.oneRow(second, value: 2)
                let values = try Self.onNewThread { () throws -> [Int64?] in
                    try first.dedicateReaderToCurrentThread()
                    defer { first.releaseCurrentThreadsReader() }
                    return [try Self.value(first), try Self.value(second)]
                }
                #expect(values == [1, 2])
            }
        }
    }

    /// `close` closes the readers threads were given: later reads on them fail as closed, and
    /// no thread is given one after.
    @Test func closingTheDatabaseClosesThreadReaders() throws {
        try withDatabase(.file) { database in
            try Self.oneRow(database, value: 7)
            let codes = try Self.onNewThread { () -> [StoreError.Code?] in
                let dedicated = storeError { try database.dedicateReaderToCurrentThread() }?.code
                database.close()
                let read = storeError { _ = try Self.value(database) }?.code
                database.releaseCurrentThreadsReader()
                let again = storeError { try database.dedicateReaderToCurrentThread() }?.code
                return [dedicated, read, again]
            }
            #expect(codes == [nil, .closed, .closed])
        }
    }
}
