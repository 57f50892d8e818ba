import ArgumentParser
import Foundation
import Store

/// `gatehouse-bench seed-users`: fills a migrated database with users and identities for the
/// admin API's figures in `make bench`: `user000001` ... with `user000001@example.com`, an
/// identity of provider `dev` each (subject `dev-000001` ...), and one of `work` for every
/// second user, written through the store's repositories, so every matching key and skeleton
/// is what Gatehouse itself would store. Never point it at a database that matters.
struct SeedUsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-users",
        abstract: "Add users (each with a dev identity, every second one a work identity too) to a migrated database."
    )

    @Option(name: .long, help: "The SQLite database, already migrated.")
    var database: String

    @Option(name: .long, help: "Add users until there are this many.")
    var users: Int

    func run() throws {
        let store = try Database(path: database)
        defer { store.close() }
        let existing = try store.read { try $0.queryOne("SELECT count(*) AS n FROM users")?.int("n") ?? 0 }
        let snapshot = IdentitySnapshot(email: nil, emailVerified: false, claims: "{}")
        var next = existing + 1
        while next <= users {
            // Batches of 10,000 per transaction: quick, and the writer is never held for long.
            let last = min(users, next + 9_999)
            try store.write { connection in
                let userRepository = UserRepository(connection)
                let identities = IdentityRepository(connection)
                for number in next...last {
                    let tag = String(format: "%06d", number)
                    let user = try userRepository.create(
                        username: "user\(tag)", email: "user\(tag)@example.com", emailVerifiedBy: .administrator,
                        usernameVerifiedBy: .administrator, displayName: "User \(tag)", now: 1_700_000_000
                    )
                    _ = try identities.create(
                        userID: user.id, provider: "dev", issuer: "http://127.0.0.1:9400", subject: "dev-\(tag)",
                        snapshot: snapshot, method: .admin, now: 1_700_000_000
                    )
                    if number % 2 == 0 {
                        _ = try identities.create(
                            userID: user.id, provider: "work", issuer: "http://127.0.0.1:9401", subject: "work-\(tag)",
                            snapshot: snapshot, method: .admin, now: 1_700_000_000
                        )
                    }
                }
            }
            next = last + 1
        }
        let counts = try store.read { connection in
            (try connection.queryOne("SELECT count(*) AS n FROM users")?.int("n") ?? 0,
             try connection.queryOne("SELECT count(*) AS n FROM identities")?.int("n") ?? 0)
        }
        print("users \(counts.0) identities \(counts.1)")
    }
}
