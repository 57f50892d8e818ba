import Foundation
import Testing
@testable import Store

/// The write-ahead log's file is cut back once the log starts over (`DatabaseOptions.logSizeLimitBytes`):
/// SQLite reuses the file and never shrinks it by itself, so one large transaction would leave a
/// file its size on disk for good.
@Suite struct LogSizeLimitTests {
    @Test func aLogGrownByOneLargeTransactionIsCutBackOnceItStartsOver() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("log-size.sqlite3").path
            let limit: Int64 = 256 * 1_024
            let database = try Database(path: path, options: DatabaseOptions(logSizeLimitBytes: limit))
            defer { database.close() }
            let checkpointer = try #require(database.checkpointer)
            try database.write { try $0.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, filler BLOB NOT NULL)") }
            // A row of 3,000 bytes fills a page of its own: 2,000 of them in one transaction are a
            // log of 2,000 pages, as a migration's rebuild or a long purge writes.
            try database.write { connection in
                for _ in 0..<2_000 { try connection.execute("INSERT INTO pages (filler) VALUES (zeroblob(3000))") }
            }
            let grown = database.logFileBytes
            #expect(grown > 2_000 * 4_096, "the large transaction is in the log: \(grown) bytes")
            let deadline = Date().addingTimeInterval(20)
            while checkpointer.completedCount == 0 && Date() < deadline { usleep(2_000) }
            #expect(checkpointer.completedCount == 1, "the log was copied back into the file")
            // The first commit after the checkpoint starts the log over and cuts the file back.
            try database.write { try $0.execute("INSERT INTO pages (filler) VALUES (x'00')") }
            try database.write { try $0.execute("INSERT INTO pages (filler) VALUES (x'01')") }
            let cut = database.logFileBytes
            #expect(cut <= limit, "the log file was cut back to the limit: \(cut) bytes, was \(grown)")
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM pages")?.int64(at: 0) } == 2_002)
        }
    }

    @Test func theDefaultLimitIsFourTimesTheLogACheckpointStartsAt() throws {
        try withTemporaryDirectory { directory in
            let database = try Database(path: directory.appendingPathComponent("default.sqlite3").path)
            defer { database.close() }
            let limit: Int64 = try database.write { try $0.queryOne("PRAGMA journal_size_limit")?.int64(at: 0) } ?? 0
            #expect(limit == Int64(16 * 1_048_576))
            #expect(Int64(Checkpointer.framesBetweenCheckpoints) * 4_096 * 4 <= limit)
        }
    }
}
