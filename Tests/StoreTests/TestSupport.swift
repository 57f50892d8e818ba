import Foundation
import Store
import Testing

/// The two kinds of database every behaviour is checked against: the in-memory one takes the
/// single-connection path, the file one the WAL writer-plus-readers path.
enum DatabaseKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case file

    var testDescription: String { rawValue }
}

/// Opens a fresh database of `kind`, runs `body`, then closes it and removes its files.
func withDatabase<T>(
    _ kind: DatabaseKind, options: DatabaseOptions = .init(), _ body: (Database) throws -> T
) throws -> T {
    switch kind {
    case .memory:
        let database = try Database(path: ":memory:", options: options)
        defer { database.close() }
        return try body(database)
    case .file:
        return try withTemporaryDirectory { directory in
            let database = try Database(path: directory.appendingPathComponent("test.sqlite").path, options: options)
            defer { database.close() }
            return try body(database)
        }
    }
}

func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("gatehouse-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Runs `body` and returns the `StoreError` it threw, or nil if it threw nothing (or something else).
func storeError(_ body: () throws -> Void) -> StoreError? {
    do {
        try body()
        return nil
    } catch let error as StoreError {
        return error
    } catch {
        return nil
    }
}

/// A value shared between test threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
