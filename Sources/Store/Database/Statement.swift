import CSQLite

/// Owns one prepared `sqlite3_stmt` and finalizes it in `deinit`.
///
/// Statements are cached per connection, so every use ends with `reset()`, which also clears
/// the bindings: a cached statement must not keep a secret bound after it has been used.
final class Statement {
    let handle: OpaquePointer
    private unowned let connection: Connection
    /// The result columns' names, read once: a prepared statement's columns do not change, and
    /// building the names and their index for every query cost each sign-in dozens of
    /// allocations. Checked against the column count, in case SQLite re-prepared it after a
    /// schema change.
    private var layout: ColumnLayout?

    /// Prepares exactly one statement. Trailing text that holds another statement is refused,
    /// because SQLite would silently ignore it; use `Connection.executeScript` for several.
    init(sql: String, connection: Connection) throws(StoreError) {
        let database = try connection.requireHandle()
        var statement: OpaquePointer?
        var trailingStatement = false
        let resultCode = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let prepared = sqlite3_prepare_v2(database, text, -1, &statement, &tail)
            guard prepared == SQLITE_OK, let tail, tail.pointee != 0 else { return prepared }
            // Only whitespace and comments may follow: preparing them yields no statement.
            var extra: OpaquePointer?
            let rest = sqlite3_prepare_v2(database, tail, -1, &extra, nil)
            if extra != nil || rest != SQLITE_OK { trailingStatement = true }
            sqlite3_finalize(extra)
            return prepared
        }
        guard resultCode == SQLITE_OK else {
            sqlite3_finalize(statement)
            throw .sqlite(resultCode: resultCode, handle: database)
        }
        guard let statement else {
            throw StoreError(code: .sqlite, message: "the SQL text holds no statement")
        }
        guard !trailingStatement else {
            sqlite3_finalize(statement)
            throw StoreError(code: .multipleStatements, message: "only one statement may be executed at a time")
        }
        self.handle = statement
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to parameters 1...n. The count must match exactly: a missing binding
    /// would silently become NULL.
    func bind(_ values: [SQLValue]) throws(StoreError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == values.count else {
            throw StoreError(
                code: .bindingCountMismatch,
                message: "the statement has \(expected) parameters but \(values.count) values were bound"
            )
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let resultCode: Int32
            switch value {
            case .null:
                resultCode = sqlite3_bind_null(handle, index)
            case .integer(let number):
                resultCode = sqlite3_bind_int64(handle, index, number)
            case .real(let number):
                resultCode = sqlite3_bind_double(handle, index, number)
            case .text(let text):
                guard let length = Int32(exactly: text.utf8.count) else { throw Self.tooLarge(index) }
                // withCString always gives a non-null pointer, so an empty string binds as '' and not NULL.
                resultCode = text.withCString { gatehouse_sqlite3_bind_text_transient(handle, index, $0, length) }
            case .blob(let bytes):
                guard let length = Int32(exactly: bytes.count) else { throw Self.tooLarge(index) }
                if bytes.isEmpty {
                    // A null pointer would bind NULL; an empty blob is a zero-length blob.
                    resultCode = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    resultCode = bytes.withUnsafeBytes {
                        gatehouse_sqlite3_bind_blob_transient(handle, index, $0.baseAddress, length)
                    }
                }
            }
            guard resultCode == SQLITE_OK else {
                throw .sqlite(resultCode: resultCode, handle: connection.handle)
            }
        }
    }

    private static func tooLarge(_ index: Int32) -> StoreError {
        StoreError(code: .valueTooLarge, message: "the value bound to parameter \(index) is too large")
    }

    /// Advances one step: true when a row is available, false when done.
    func step() throws(StoreError) -> Bool {
        let resultCode = sqlite3_step(handle)
        switch resultCode {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw .sqlite(resultCode: sqlite3_extended_errcode(connection.handle), handle: connection.handle)
        }
    }

    /// Makes the statement ready for reuse and drops its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func columnLayout() -> ColumnLayout {
        let count = sqlite3_column_count(handle)
        if let layout, layout.names.count == Int(count) { return layout }
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for index in 0..<count {
            names.append(sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "")
        }
        let made = ColumnLayout(names: names)
        layout = made
        return made
    }

    /// Reads the current row's column `index` in its own storage class.
    func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // Ask for the pointer first, then the length, as SQLite's documentation advises.
            guard let text = sqlite3_column_text(handle, index) else { return .text("") }
            let length = Int(sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            guard let bytes = sqlite3_column_blob(handle, index) else { return .blob([]) }
            let length = Int(sqlite3_column_bytes(handle, index))
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default:
            return .null
        }
    }
}
