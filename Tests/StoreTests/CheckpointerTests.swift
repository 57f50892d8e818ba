import Foundation
import Testing
@testable import Store

/// Checkpoints run beside the writers, never inside a commit (see `Checkpointer`).
@Suite struct CheckpointerTests {
    /// With the checkpointer held up, as by a slow disk, the commits go on and the log grows past
    /// the threshold: an automatic checkpoint inside a commit would have copied it back at 1,000
    /// pages and started it over. Let go, the checkpointer copies it back.
    @Test func commitsLeaveTheCheckpointToItsOwnThread() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("checkpoints.sqlite3").path
            let database = try Database(path: path)
            defer { database.close() }
            let checkpointer = try #require(database.checkpointer)
            try database.write { try $0.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, filler BLOB NOT NULL)") }
            checkpointer.connectionLock.lock()
            // A row of 3,000 bytes fills a page of its own: each commit adds at least one page to the log.
            for _ in 0..<1_500 {
                try database.write { try $0.execute("INSERT INTO pages (filler) VALUES (zeroblob(3000))") }
            }
            let logBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
            checkpointer.connectionLock.unlock()
            #expect(logBytes > 1_400 * 4_096, "the commits copied nothing back themselves: \(logBytes) bytes of log")
            let deadline = Date().addingTimeInterval(20)
            while checkpointer.completedCount == 0 && Date() < deadline { usleep(2_000) }
            #expect(checkpointer.completedCount == 1, "one checkpoint ran, once the log passed 1,000 pages")
            let fileBytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(fileBytes > 1_400 * 4_096, "the log was copied back into the file: \(fileBytes) bytes")
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM pages")?.int64(at: 0) } == 1_500)
        }
    }

    /// One thread serves checkpoint after checkpoint while commits keep asking for them: a
    /// thread each was 77 threads started in 300 sign-ins of the peer benchmark.
    @Test func checkpointsShareOneThread() throws {
        try withTemporaryDirectory { directory in
            let database = try Database(path: directory.appendingPathComponent("checkpoints.sqlite3").path)
            defer { database.close() }
            let checkpointer = try #require(database.checkpointer)
            try database.write { try $0.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, filler BLOB NOT NULL)") }
            for round in 1...3 {
                for _ in 0..<1_100 {
                    try database.write { try $0.execute("INSERT INTO pages (filler) VALUES (zeroblob(3000))") }
                }
                let deadline = Date().addingTimeInterval(20)
                while checkpointer.completedCount < round && Date() < deadline { usleep(2_000) }
            }
            #expect(checkpointer.completedCount >= 3)
            #expect(checkpointer.threadsStarted == 1)
        }
    }
}
