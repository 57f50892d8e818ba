import CSQLite

/// One SQLite connection (`sqlite3*`), closed in `deinit`.
///
/// A connection is not thread-safe: it is opened with `SQLITE_OPEN_NOMUTEX`, and `Database`
/// guarantees that only one thread uses it at a time (the writer behind a lock, each reader
/// checked out of a pool). Code only ever receives a connection inside `Database.read` or
/// `Database.write` and must not keep it past that call.
public final class Connection {
    private(set) var handle: OpaquePointer?
    /// Prepared statements keyed by their SQL text, so a hot query is parsed once per connection.
    private var statementCache: [String: Statement] = [:]
    private let statementCacheCapacity: Int

    init(path: String, flags: Int32, busyTimeoutMilliseconds: Int32, statementCacheCapacity: Int) throws(StoreError) {
        var database: OpaquePointer?
        let resultCode = sqlite3_open_v2(path, &database, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard resultCode == SQLITE_OK, let database else {
            let error = StoreError.sqlite(resultCode: resultCode, handle: database)
            sqlite3_close_v2(database)
            throw StoreError(code: .cannotOpen, resultCode: error.resultCode, message: "cannot open the database: \(error.message)")
        }
        // Extended codes tell SQLITE_CONSTRAINT_UNIQUE apart from other constraint failures.
        sqlite3_extended_result_codes(database, 1)
        sqlite3_busy_timeout(database, busyTimeoutMilliseconds)
        do {
            try MatchingKeyFunctions.register(on: database)
        } catch {
            sqlite3_close_v2(database)
            throw error
        }
        self.handle = database
        self.statementCacheCapacity = max(0, statementCacheCapacity)
    }

    deinit {
        close()
    }

    /// How long a statement waits for a lock another connection holds (`sqlite3_busy_timeout`).
    func setBusyTimeout(milliseconds: Int32) {
        if let handle { sqlite3_busy_timeout(handle, milliseconds) }
    }

    /// Finalizes cached statements and closes the handle. Safe to call twice.
    func close() {
        statementCache.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    func requireHandle(fileID: String = #fileID, line: Int = #line) throws(StoreError) -> OpaquePointer {
        guard let handle else { throw .closed(fileID: fileID, line: line) }
        return handle
    }

    // MARK: Running statements

    /// Runs one statement, discarding any rows it returns.
    public func execute(_ sql: String, _ bindings: [SQLValue] = []) throws(StoreError) {
        try withStatement(sql, bindings) { (statement) throws(StoreError) in
            while try statement.step() {}
        }
    }

    /// Runs one statement and returns all its rows.
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws(StoreError) -> [Row] {
        try withStatement(sql, bindings) { (statement) throws(StoreError) -> [Row] in
            let layout = statement.columnLayout()
            let columnCount = Int32(layout.names.count)
            var rows: [Row] = []
            while try statement.step() {
                var values: [SQLValue] = []
                values.reserveCapacity(Int(columnCount))
                for index in 0..<columnCount {
                    values.append(statement.value(at: index))
                }
                rows.append(Row(values: values, layout: layout))
            }
            return rows
        }
    }

    /// Runs one statement and returns its first row, or nil when it returns none.
    public func queryOne(_ sql: String, _ bindings: [SQLValue] = []) throws(StoreError) -> Row? {
        try withStatement(sql, bindings) { (statement) throws(StoreError) -> Row? in
            guard try statement.step() else { return nil }
            let layout = statement.columnLayout()
            let values = (0..<Int32(layout.names.count)).map { statement.value(at: $0) }
            return Row(values: values, layout: layout)
        }
    }

    /// Runs every statement in `sql` in order, splitting with SQLite's own parser (the tail
    /// pointer of `sqlite3_prepare_v2`), so semicolons inside strings or triggers are safe.
    /// Takes no bindings and bypasses the statement cache: it is meant for migrations.
    public func executeScript(_ sql: String) throws(StoreError) {
        let database = try requireHandle()
        let failure = sql.withCString { start -> StoreError? in
            var cursor = start
            while cursor.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let prepared = sqlite3_prepare_v2(database, cursor, -1, &statement, &tail)
                guard prepared == SQLITE_OK else {
                    sqlite3_finalize(statement)
                    return .sqlite(resultCode: prepared, handle: database)
                }
                guard let tail, tail != cursor else {
                    sqlite3_finalize(statement)
                    break
                }
                cursor = tail
                // A nil statement means only whitespace or a comment was consumed.
                guard let statement else { continue }
                var stepped: Int32
                repeat { stepped = sqlite3_step(statement) } while stepped == SQLITE_ROW
                sqlite3_finalize(statement)
                guard stepped == SQLITE_DONE else {
                    return .sqlite(resultCode: sqlite3_extended_errcode(database), handle: database)
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    public var changes: Int {
        handle.map { Int(sqlite3_changes($0)) } ?? 0
    }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool {
        handle.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    /// Rolls back an open transaction, if SQLite has not already done so itself (it does after
    /// some errors, such as SQLITE_FULL). Errors are ignored: this runs while another error is
    /// already on its way to the caller, and that one is the one that matters.
    func rollbackIfNeeded() {
        guard isInTransaction else { return }
        try? execute("ROLLBACK")
    }

    /// Runs `body` with BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE refused at prepare
    /// time (through SQLite's authorizer), so SQL that `body` runs cannot end or split the
    /// transaction the caller opened. The migrator wraps migration SQL in this.
    func denyingTransactionControl<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let database = try requireHandle()
        sqlite3_set_authorizer(database, { _, action, _, _, _, _ in
            action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT ? SQLITE_DENY : SQLITE_OK
        }, nil)
        defer { sqlite3_set_authorizer(database, nil, nil) }
        return try body()
    }

    private func withStatement<T>(
        _ sql: String, _ bindings: [SQLValue], _ body: (Statement) throws(StoreError) -> T
    ) throws(StoreError) -> T {
        let statement = try cachedStatement(for: sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        return try body(statement)
    }

    private func cachedStatement(for sql: String) throws(StoreError) -> Statement {
        if let cached = statementCache[sql] { return cached }
        let statement = try Statement(sql: sql, connection: self)
        if statementCacheCapacity > 0 {
            // Simple bound: the application's SQL is a fixed, small set, so hitting the cap
            // means something builds SQL dynamically; starting over keeps memory bounded.
            if statementCache.count >= statementCacheCapacity { statementCache.removeAll() }
            statementCache[sql] = statement
        }
        return statement
    }
}
