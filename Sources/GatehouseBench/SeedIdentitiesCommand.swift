import ArgumentParser
import Foundation
import Store

/// `gatehouse-bench seed-identities`: for the directory figure of `make bench`, one user and one
/// identity of `--provider` under `--issuer` per line of `--subjects` (`username subject`), as a
/// sign-in by bind would have made them, written through the store's repositories. Never point
/// it at a database that matters.
struct SeedIdentitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-identities",
        abstract: "Add a user with one identity per `username subject` line to a migrated database."
    )

    @Option(name: .long, help: "The SQLite database, already migrated.") var database: String
    @Option(name: .long, help: "The identities' provider (a directory's slug).") var provider: String
    @Option(name: .long, help: "The identities' issuer (`ldap:` and the directory's base DN, lower-cased).") var issuer: String
    @Option(name: .long, help: "A file of `username subject` lines.") var subjects: String

    func run() throws {
        let lines = try String(contentsOfFile: subjects, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let store = try Database(path: database)
        defer { store.close() }
        let snapshot = IdentitySnapshot(email: nil, emailVerified: false, claims: "{}")
        for batch in stride(from: 0, to: lines.count, by: 10_000) {
            try store.write { connection in
                for fields in lines[batch..<min(lines.count, batch + 10_000)] where fields.count == 2 {
                    let user = try UserRepository(connection).create(
                        username: String(fields[0]), email: nil, usernameVerifiedBy: .administrator, displayName: nil, now: 1_700_000_000
                    )
                    _ = try IdentityRepository(connection).create(
                        userID: user.id, provider: provider, issuer: issuer, subject: String(fields[1]), snapshot: snapshot, method: .admin,
                        now: 1_700_000_000
                    )
                }
            }
        }
        print("identities \(lines.count)")
    }
}
