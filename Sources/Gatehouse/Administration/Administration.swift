import Foundation
import OIDC
import Store

/// The administration services (issue 13 section 5): what an operator can do to users,
/// identities, sessions, API tokens, and what they can read of providers and the audit trail.
/// The command line and the admin API both call these and only these; each returns values or
/// throws a typed `AdministrationError`, and renders nothing: the command line prints text or
/// `--json`, the API answers JSON, both from `AdminRepresentation`.
///
/// Every write runs in one transaction with its audit entry, naming the actor.
public struct Administration: Sendable {
    let database: Database
    let config: GatehouseConfig
    let linking: AccountLinking
    /// The running server's connections to its providers, for discovery and key-set status;
    /// empty for the command line, which has none.
    let connections: [String: ProviderConnection]
    let clock: @Sendable () -> Int64
    /// The running server's synchronisers, one per directory, so the API's runs and the
    /// schedule's share one "already running" guard; empty for the command line, which makes its own.
    let directorySyncs: [String: DirectorySync]

    public init(
        database: Database, config: GatehouseConfig, connections: [String: ProviderConnection] = [:],
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.init(database: database, config: config, connections: connections, directorySyncs: [:], clock: clock)
    }

    init(
        database: Database, config: GatehouseConfig, connections: [String: ProviderConnection], directorySyncs: [String: DirectorySync],
        clock: @escaping @Sendable () -> Int64
    ) {
        self.database = database
        self.config = config
        self.linking = AccountLinking(
            database: database,
            policies: Dictionary(uniqueKeysWithValues: config.providers.map { ($0.slug, $0.policy) } + config.directories.map { ($0.slug, $0.policy) }),
            reservedUsernames: ReservedUsernames(config.accounts.reservedUsernames)
        )
        self.connections = connections
        self.directorySyncs = directorySyncs
        self.clock = clock
    }

    /// The configured provider with this slug.
    func provider(_ slug: String) throws(AdministrationError) -> ProviderConfig {
        guard let provider = config.providers.first(where: { $0.slug == slug }) else {
            throw .notFound("provider with the slug \"\(slug.prefix(64))\"")
        }
        return provider
    }

    /// Runs `body` in a write transaction. An `AdministrationError` thrown inside rolls it back
    /// and reaches the caller as it is; a busy database becomes `.unavailable`. Anything else is
    /// a fault, rethrown for the caller to log.
    func write<T>(_ body: (Connection) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch let error as StoreError where error.code == .busy {
            throw AdministrationError.unavailable("the database is busy; try again")
        }
    }

    /// Runs `body` in a read transaction, with the same mapping as `write`.
    func read<T>(_ body: (Connection) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch let error as StoreError where error.code == .busy {
            throw AdministrationError.unavailable("the database is busy; try again")
        }
    }
}

/// Who acts, as the audit log names them, and the request it came with.
public struct AdministrationActor: Sendable, Equatable {
    /// `token:<name>` for the admin API, `cli` for the command line.
    public let name: String
    public let requestID: String?

    public static let commandLine = AdministrationActor(name: "cli", requestID: nil)

    public static func token(_ tokenName: String, requestID: String) -> AdministrationActor {
        AdministrationActor(name: "token:" + tokenName, requestID: requestID)
    }
}
