import Dispatch
import Testing
import Store

@Suite("Database")
struct DatabaseTests {
    @Test(arguments: DatabaseKind.allCases)
    func pragmasAreSet(_ kind: DatabaseKind) throws {
        try withDatabase(kind, options: .init(busyTimeoutMilliseconds: 1234)) { database in
            try database.write { (connection) throws in
                #expect(try connection.queryOne("PRAGMA foreign_keys")?.int64(at: 0) == 1)
                #expect(try connection.queryOne("PRAGMA busy_timeout")?.int64(at: 0) == 1234)
                let mode = try connection.queryOne("PRAGMA journal_mode")?.string(at: 0)
                // WAL needs a file; SQLite keeps an in-memory database in its "memory" journal mode.
                #expect(mode == (kind == .file ? "wal" : "memory"))
                if kind == .file {
                    #expect(try connection.queryOne("PRAGMA synchronous")?.int64(at: 0) == 1, "NORMAL is 1")
                }
            }
            try database.read { (connection) throws in
                #expect(try connection.queryOne("PRAGMA foreign_keys")?.int64(at: 0) == 1)
                #expect(try connection.queryOne("PRAGMA busy_timeout")?.int64(at: 0) == 1234)
            }
        }
    }

    /// `writeCount` is what the forward-auth cache trusts to know nothing was written since a
    /// read: every finished write moves it, a failed one too, and reads never do.
    @Test(arguments: DatabaseKind.allCases)
    func writeCountMovesWithEveryFinishedWriteAndNoRead(_ kind: DatabaseKind) throws {
        struct Refused: Error {}
        try withDatabase(kind) { database in
            let start = database.writeCount
            try database.write { try $0.execute("CREATE TABLE t (x INTEGER)") }
            #expect(database.writeCount == start + 1)
            _ = try database.read { try $0.queryOne("SELECT count(*) FROM t") }
            _ = try database.readSingleStatement { try $0.queryOne("SELECT count(*) FROM t") }
            #expect(database.writeCount == start + 1, "reads leave it alone")
            #expect(throws: Refused.self) { try database.write { _ in throw Refused() } }
            #expect(database.writeCount == start + 2, "a rolled-back write counts too")
            try database.writeWithoutTransaction { try $0.execute("INSERT INTO t VALUES (1)") }
            #expect(database.writeCount == start + 3)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func valuesRoundTrip(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            let values: [SQLValue] = [
                .null,                       // NULL stays NULL
                .integer(.min),              // full Int64 range
                .integer(.max),
                .real(-1.5),
                .text(""),                   // empty text must not become NULL
                .text("héllo\u{0}world ✓"),  // multi-byte UTF-8 and an embedded NUL survive
                .blob([]),                   // empty blob must not become NULL
                .blob([0, 255, 0, 1]),
            ]
            try database.write { (connection) throws in
                try connection.execute("CREATE TABLE t (position INTEGER PRIMARY KEY, v)")
                for (position, value) in values.enumerated() {
                    try connection.execute("INSERT INTO t (position, v) VALUES (?, ?)", [.integer(Int64(position)), value])
                }
            }
            let read = try database.read { (connection) throws in
                try connection.query("SELECT v FROM t ORDER BY position").map { $0.values[0] }
            }
            #expect(read == values)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func writeCommitsOnReturnAndRollsBackOnThrow(_ kind: DatabaseKind) throws {
        struct Abort: Error {}
        try withDatabase(kind) { database in
            try database.write { try $0.execute("CREATE TABLE t (x INTEGER)") }
            try database.write { try $0.execute("INSERT INTO t VALUES (1)") }
            #expect(throws: Abort.self) {
                try database.write { (connection) throws in
                    try connection.execute("INSERT INTO t VALUES (2)")
                    throw Abort()
                }
            }
            let rows = try database.read { try $0.query("SELECT x FROM t") }
            #expect(rows.map { $0.values } == [[.integer(1)]])
            // The writer is usable again after the rollback.
            try database.write { try $0.execute("INSERT INTO t VALUES (3)") }
            #expect(try database.read { try $0.query("SELECT x FROM t") }.count == 2)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func readRefusesWrites(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try database.write { try $0.execute("CREATE TABLE t (x INTEGER)") }
            let error = storeError {
                try database.read { try $0.execute("INSERT INTO t VALUES (1)") }
            }
            #expect(error?.code == .readOnly)
            // And on memory databases the writer is writable again afterwards.
            try database.write { try $0.execute("INSERT INTO t VALUES (1)") }
        }
    }

    struct ConstraintCase: Sendable, CustomTestStringConvertible {
        let sql: String
        let bindings: [SQLValue]
        let expected: StoreError.Code
        let reason: String
        var testDescription: String { reason }
    }

    static let constraintCases: [ConstraintCase] = [
        .init(sql: "INSERT INTO child (parent_id, note) VALUES (?, 'x')", bindings: [99], expected: .foreignKeyViolation,
              reason: "a child row pointing at no parent"),
        .init(sql: "INSERT INTO parent (id, name, score) VALUES (?, 'other', 1)", bindings: [1], expected: .uniqueViolation,
              reason: "a duplicate INTEGER PRIMARY KEY is a unique violation"),
        .init(sql: "INSERT INTO parent (name, score) VALUES (?, 1)", bindings: ["ALICE"], expected: .uniqueViolation,
              reason: "a UNIQUE column with NOCASE collation refuses a case variant"),
        .init(sql: "INSERT INTO parent (name, score) VALUES (?, 5)", bindings: ["bob"], expected: .checkViolation,
              reason: "a CHECK constraint refuses the value"),
        .init(sql: "INSERT INTO parent (name, score) VALUES (?, 1)", bindings: [.null], expected: .notNullViolation,
              reason: "a NOT NULL column refuses NULL"),
        .init(sql: "INSERT INTO nowhere VALUES (?)", bindings: [1], expected: .sqlite,
              reason: "other failures are not confused with constraint violations"),
    ]

    @Test(arguments: DatabaseKind.allCases, constraintCases)
    func constraintFailuresAreTold(_ kind: DatabaseKind, _ testCase: ConstraintCase) throws {
        try withDatabase(kind) { database in
            try database.write { (connection) throws in
                try connection.executeScript("""
                    CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                                         score INTEGER CHECK (score IN (0, 1)));
                    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);
                    INSERT INTO parent (id, name, score) VALUES (1, 'alice', 0);
                    """)
            }
            let error = storeError {
                try database.write { try $0.execute(testCase.sql, testCase.bindings) }
            }
            #expect(error?.code == testCase.expected)
        }
    }

    @Test("an error message never contains the bound value", arguments: DatabaseKind.allCases)
    func errorsDoNotLeakBindings(_ kind: DatabaseKind) throws {
        let secret = "s3cr3t-token-value"
        try withDatabase(kind) { database in
            try database.write { try $0.execute("CREATE TABLE t (token TEXT UNIQUE CHECK (length(token) < 100))") }
            try database.write { try $0.execute("INSERT INTO t VALUES (?)", [.text(secret)]) }
            let unique = storeError { try database.write { try $0.execute("INSERT INTO t VALUES (?)", [.text(secret)]) } }
            let check = storeError {
                try database.write { try $0.execute("INSERT INTO t VALUES (?)", [.text(String(repeating: secret, count: 10))]) }
            }
            for error in [unique, check] {
                let error = try #require(error)
                #expect(!error.description.contains(secret))
            }
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func misuseIsATypedError(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try database.write { try $0.execute("CREATE TABLE t (x INTEGER)") }
            // Too few bindings would silently bind NULL.
            #expect(storeError { try database.write { try $0.execute("INSERT INTO t VALUES (?)") } }?.code == .bindingCountMismatch)
            // Too many as well.
            #expect(storeError { try database.write { try $0.execute("INSERT INTO t VALUES (?)", [1, 2]) } }?.code == .bindingCountMismatch)
            // A second statement would be silently ignored by sqlite3_prepare.
            let twoStatements = "INSERT INTO t VALUES (1); DELETE FROM t"
            #expect(storeError { try database.write { try $0.execute(twoStatements) } }?.code == .multipleStatements)
            // A trailing comment is not a statement.
            try database.write { try $0.execute("INSERT INTO t VALUES (1); -- done") }
            // Syntax errors are SQLite errors.
            #expect(storeError { try database.write { try $0.execute("INSERT INTO") } }?.code == .sqlite)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func executeScriptSplitsWithSQLitesParser(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            let texts = try database.write { (connection) throws in
                try connection.executeScript("""
                    -- a comment first
                    CREATE TABLE t (x TEXT);
                    INSERT INTO t VALUES ('semi;colon');  /* block comment; with a semicolon */
                    INSERT INTO t VALUES ('it''s');
                    """)
                return try connection.query("SELECT x FROM t ORDER BY rowid").map { try $0.string("x") }
            }
            #expect(texts == ["semi;colon", "it's"])
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func rowAccessorsThrowOnMismatch(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            let row = try #require(try database.read { (connection) throws in
                try connection.queryOne("SELECT 7 AS n, 'seven' AS s, NULL AS z, x'00ff' AS b, 2.5 AS r, 2 AS two")
            })
            #expect(try row.int64("n") == 7)
            #expect(try row.int("n") == 7)
            #expect(try row.string("s") == "seven")
            #expect(try row.optionalString("z") == nil)
            #expect(try row.optionalInt64("n") == 7)
            #expect(try row.blob("b") == [0, 255])
            #expect(try row.double("r") == 2.5)
            #expect(try row.double("n") == 7, "integers widen to doubles")
            #expect(try row.string(at: 1) == "seven")
            #expect(row["s"] == .text("seven"))
            #expect(row["missing"] == nil)
            #expect(row[99] == nil)

            let mismatches: [(String, () throws -> Void)] = [
                ("text read as integer", { _ = try row.int64("s") }),
                ("integer read as text", { _ = try row.string("n") }),
                ("NULL where a value is required", { _ = try row.int64("z") }),
                ("real read as integer, no silent truncation", { _ = try row.int64("r") }),
                ("2 is not a boolean", { _ = try row.bool("two") }),
                ("blob read as text", { _ = try row.optionalString("b") }),
            ]
            for (reason, access) in mismatches {
                #expect(storeError(access)?.code == .typeMismatch, "\(reason)")
            }
            #expect(storeError { _ = try row.int64("missing") }?.code == .columnNotFound)
            #expect(storeError { _ = try row.int64(at: 6) }?.code == .columnNotFound)
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func connectionReportsRowIDAndChanges(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            try database.write { (connection) throws in
                try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
                try connection.execute("INSERT INTO t (x) VALUES (?)", [5])
                #expect(connection.lastInsertRowID == 1)
                try connection.execute("INSERT INTO t (x) VALUES (?)", [5])
                #expect(connection.lastInsertRowID == 2)
                try connection.execute("UPDATE t SET x = 6 WHERE x = ?", [5])
                #expect(connection.changes == 2)
                // The same SQL again reuses the cached statement with fresh bindings.
                try connection.execute("UPDATE t SET x = 6 WHERE x = ?", [5])
                #expect(connection.changes == 0)
            }
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func closedDatabaseRefusesWork(_ kind: DatabaseKind) throws {
        try withDatabase(kind) { database in
            database.close()
            database.close()
            #expect(storeError { try database.read { _ in } }?.code == .closed)
            #expect(storeError { try database.write { _ in } }?.code == .closed)
        }
    }

    @Test func openingAMissingDirectoryFails() {
        let error = storeError { _ = try Database(path: "/nonexistent-gatehouse-dir/x/db.sqlite") }
        #expect(error?.code == .cannotOpen)
    }

    @Test("a read sees the committed snapshot while a write is in progress")
    func readsProceedDuringAWrite() throws {
        try withDatabase(.file) { database in
            try database.write { (connection) throws in
                try connection.execute("CREATE TABLE t (x INTEGER)")
                try connection.execute("INSERT INTO t VALUES (1)")
            }
            let seenDuringWrite = Locked<Int64?>(nil)
            try database.write { (connection) throws in
                try connection.execute("INSERT INTO t VALUES (2)")
                // Another thread reads while this transaction is open and uncommitted.
                let done = DispatchSemaphore(value: 0)
                DispatchQueue.global().async {
                    let count = try? database.read { try $0.queryOne("SELECT count(*) FROM t")?.int64(at: 0) }
                    seenDuringWrite.withLock { $0 = count ?? nil }
                    done.signal()
                }
                done.wait()
            }
            #expect(seenDuringWrite.withLock { $0 } == 1)
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM t")?.int64(at: 0) } == 2)
        }
    }

    @Test("several threads read while one writes", arguments: DatabaseKind.allCases)
    func concurrentReadsAndWrites(_ kind: DatabaseKind) throws {
        try withDatabase(kind, options: .init(readerCount: 3)) { database in
            try database.write { (connection) throws in
                try connection.executeScript("CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER);")
            }
            let writes = 100
            let failures = Locked<[String]>([])
            let writerDone = Locked(false)
            DispatchQueue.concurrentPerform(iterations: 6) { worker in
                do {
                    if worker == 0 {
                        defer { writerDone.withLock { $0 = true } }
                        for index in 0..<writes {
                            // Both tables change in one transaction, so a reader must see equal counts.
                            try database.write { (connection) throws in
                                try connection.execute("INSERT INTO a VALUES (?)", [.integer(Int64(index))])
                                try connection.execute("INSERT INTO b VALUES (?)", [.integer(Int64(index))])
                            }
                        }
                    } else {
                        var lastSeen: Int64 = 0
                        while !writerDone.withLock({ $0 }) {
                            let (a, b) = try database.read { (connection) throws in
                                (try connection.queryOne("SELECT count(*) FROM a")?.int64(at: 0) ?? -1,
                                 try connection.queryOne("SELECT count(*) FROM b")?.int64(at: 0) ?? -1)
                            }
                            if a != b { failures.withLock { $0.append("torn read: \(a) vs \(b)") } }
                            if a < lastSeen { failures.withLock { $0.append("went back from \(lastSeen) to \(a)") } }
                            lastSeen = a
                        }
                    }
                } catch {
                    failures.withLock { $0.append("worker \(worker): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM a")?.int64(at: 0) } == Int64(writes))
        }
    }
}
