import Foundation
import Store

/// Why an operator command cannot use the configured database: one line for standard error.
struct OperatorDatabaseRefusal: Error {
    let message: String
}

extension Runtime {
    /// Opens the configured database for an operator command (`users`, `identities`,
    /// `simulate-login`). These commands never migrate and never create a database: an
    /// operator's look must not change it, and the columns they read or write may not exist
    /// before `gatehouse migrate` has run. The caller closes the database.
    static func openCurrentDatabase(_ config: GatehouseConfig) throws(OperatorDatabaseRefusal) -> Database {
        guard FileManager.default.fileExists(atPath: config.database.path) else {
            throw OperatorDatabaseRefusal(message: "no database at \(config.database.path); run `gatehouse migrate` first")
        }
        let database: Database
        do {
            database = try openDatabase(config)
        } catch {
            throw OperatorDatabaseRefusal(message: "cannot open the database \(config.database.path): \(error)")
        }
        let notCurrent: String?
        do {
            notCurrent = try Migrator(migrations: EmbeddedMigrations.all).status(of: database).notCurrentReason
        } catch {
            database.close()
            throw OperatorDatabaseRefusal(message: "cannot read the database's migrations: \(error)")
        }
        if let notCurrent {
            database.close()
            throw OperatorDatabaseRefusal(message: notCurrent)
        }
        return database
    }
}
