import Foundation
import Testing
import Store

/// `Sources/Store/EmbeddedMigrations.swift` is generated from `migrations/*.sql` by
/// `scripts/embed-migrations`. If someone edits or adds a migration file without running the
/// script, the binary would ship stale SQL; this test catches it.
@Suite("Embedded migrations")
struct EmbeddedMigrationsTests {
    static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // StoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("migrations", isDirectory: true)

    @Test("the generated file matches migrations/*.sql exactly")
    func embeddedMatchesFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.migrationsDirectory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(!names.isEmpty)
        var fromFiles: [Migration] = []
        for fileName in names {
            let stem = fileName.dropLast(".sql".count)
            let parts = stem.split(separator: "_", maxSplits: 1)
            let version = try #require(parts.count == 2 && parts[0].count == 4 ? Int(parts[0]) : nil, "\(fileName)")
            let sql = try String(contentsOf: Self.migrationsDirectory.appendingPathComponent(fileName), encoding: .utf8)
            fromFiles.append(Migration(version: version, name: String(parts[1]), sql: sql))
        }
        #expect(EmbeddedMigrations.all.map(\.identifier) == fromFiles.map(\.identifier),
                "run scripts/embed-migrations")
        for (embedded, file) in zip(EmbeddedMigrations.all, fromFiles) {
            #expect(embedded.sql == file.sql, "\(file.identifier) differs from its file: run scripts/embed-migrations")
        }
        #expect(fromFiles.map(\.version) == Array(1...fromFiles.count), "versions are contiguous from 1")
    }

    @Test("the embedded list is a valid migrator input")
    func embeddedListIsValid() throws {
        _ = try Migrator(migrations: EmbeddedMigrations.all)
    }
}
