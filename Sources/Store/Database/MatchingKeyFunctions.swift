import CSQLite
import MatchingKeys

/// The matching-key functions, registered on every connection as SQL functions, so a migration
/// recomputes stored keys with the very function the application writes them with
/// (`UPDATE users SET email_key = gatehouse_email_key(email)`), never with SQLite's ASCII-only
/// `lower()` or a second copy of the rules. Each takes one text and returns its key, or NULL
/// when it has none (or when given something other than text).
///
/// Only migrations call them: queries bind keys computed in Swift, so an operator's `sqlite3`
/// shell, which lacks these functions, can still read and write every table.
enum MatchingKeyFunctions {
    static func register(on database: OpaquePointer) throws(StoreError) {
        try register("gatehouse_email_key", on: database) { context, argumentCount, arguments in
            MatchingKeyFunctions.apply(MatchingKey.email, context, argumentCount, arguments)
        }
        try register("gatehouse_username_key", on: database) { context, argumentCount, arguments in
            MatchingKeyFunctions.apply(MatchingKey.username, context, argumentCount, arguments)
        }
        try register("gatehouse_username_skeleton", on: database) { context, argumentCount, arguments in
            MatchingKeyFunctions.apply(MatchingKey.usernameSkeleton, context, argumentCount, arguments)
        }
    }

    private typealias Implementation = @convention(c) (
        OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?
    ) -> Void

    private static func register(_ name: String, on database: OpaquePointer, _ implementation: Implementation) throws(StoreError) {
        let result = sqlite3_create_function_v2(
            database, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, implementation, nil, nil, nil
        )
        guard result == SQLITE_OK else { throw .sqlite(resultCode: result, handle: database) }
    }

    private static func apply(
        _ key: (String) -> String?, _ context: OpaquePointer?, _ argumentCount: Int32,
        _ arguments: UnsafeMutablePointer<OpaquePointer?>?
    ) {
        guard argumentCount == 1, let argument = arguments?[0], sqlite3_value_type(argument) == SQLITE_TEXT,
              let text = sqlite3_value_text(argument)
        else {
            sqlite3_result_null(context)
            return
        }
        let input = String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(argument))), as: UTF8.self)
        guard let result = key(input) else {
            sqlite3_result_null(context)
            return
        }
        let length = Int32(result.utf8.count)
        result.withCString { gatehouse_sqlite3_result_text_transient(context, $0, length) }
    }
}
