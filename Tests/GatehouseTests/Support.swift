import Foundation
import Gatehouse
import HTTP
import Logging
import Store
import Testing
import TestSupport

/// A configuration for tests, read through the same parser as a real file.
func testConfig(
    publicURL: String = "http://127.0.0.1:8080", databasePath: String, extra: String = "", providers: String = "[]",
    sections: String = "", databaseExtra: String = ""
) throws -> GatehouseConfig {
    let json = """
        {"server": {"listen": "127.0.0.1:8080", "public_url": "\(publicURL)", "public_dir": "\(packageRoot)/Public"\(extra)},
         "database": {"path": "\(databasePath)"\(databaseExtra)}, "providers": \(providers)\(sections)}
        """
    return try GatehouseConfig.parse(data: Data(json.utf8), environment: [:]).get()
}

/// A fresh temporary directory, removed by the caller's `defer`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A migrated SQLite file database in a temporary directory.
/// A configuration file for `gatehouse serve` on loopback `port` with no provider, written in
/// `directory`; `serverExtra` adds members to `server`. Returns its path.
func writeServeConfig(in directory: URL, port: UInt16, serverExtra: String = "", logLevel: String) throws -> String {
    let path = directory.appendingPathComponent("config.json").path
    try Data("""
        {"server": {"listen": "127.0.0.1:\(port)", "public_url": "http://127.0.0.1:\(port)"\(serverExtra)},
         "database": {"path": "\(directory.path)/gatehouse.sqlite3"}, "logging": {"level": "\(logLevel)"}}
        """.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

func migratedDatabase(in directory: URL, options: DatabaseOptions = DatabaseOptions()) throws -> Database {
    let database = try Database(path: directory.appendingPathComponent("gatehouse.sqlite3").path, options: options)
    _ = try Migrator(migrations: EmbeddedMigrations.all).migrate(database, now: 1_700_000_000)
    return database
}

let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A running Gatehouse on an ephemeral loopback port, with its own temporary database.
///
/// The listening socket is bound first, so the public URL (and with it every provider's
/// redirect URI) can name the real port. `providers` is the JSON of the `providers` array;
/// `clock` lets a test move time forward without waiting; `databaseExtra` adds members to the
/// `database` object (`, "max_pending_sign_in_flows": 3`).
final class RunningGatehouse {
    let directory: URL
    let database: Database
    let app: GatehouseApp
    let server: HTTPServer
    let port: UInt16

    init(
        publicURL: String? = nil, port requestedPort: UInt16? = nil, providers: String = "[]",
        serverExtra: String = "", sections: String = "", databaseExtra: String = "",
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws {
        directory = try temporaryDirectory()
        let chosenPort = try requestedPort ?? ExternalServer.freePort()
        let config = try testConfig(
            publicURL: publicURL ?? "http://127.0.0.1:\(chosenPort)", databasePath: directory.appendingPathComponent("gatehouse.sqlite3").path,
            extra: serverExtra, providers: providers, sections: sections, databaseExtra: databaseExtra
        )
        // Opened as `serve` opens it: with the configured busy timeout.
        database = try migratedDatabase(
            in: directory, options: DatabaseOptions(busyTimeoutMilliseconds: Int32(config.database.busyTimeoutMilliseconds))
        )
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        app = try GatehouseApp(config: config, database: database, logger: logger, clock: clock)
        try app.recordConfiguration(now: clock())
        var configuration = app.serverConfiguration
        configuration.listen = [ListenAddress(host: "127.0.0.1", port: chosenPort)]
        server = HTTPServer(configuration: configuration, responder: app.responder, logger: logger, metrics: app.metrics)
        try server.start()
        port = server.boundAddresses[0].port
    }

    var origin: String { "http://127.0.0.1:\(port)" }

    func stop() {
        server.shutdown()
        app.shutdown()
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Fills in the sign-in form of `loginPage` (a page Gatehouse served at `/login`) with the
/// identifier and, when given, the password, and posts it as the browser would, with the
/// `Origin` of `origin`.
func postLoginForm(
    _ loginPage: BrowserClient.Page, identifier: String, password: String?, origin: String, browser: BrowserClient,
    headers: [(String, String)] = []
) throws -> BrowserClient.Page {
    var form = try #require(HTMLForm.all(in: loginPage.text).first { $0.action == "/login" })
    form.set("identifier", identifier)
    form.fields.removeAll { $0.0 == "password" }
    if let password { form.fields.append(("password", password)) }
    return try browser.postForm("\(origin)/login", form.fields, headers: [("Origin", origin)] + headers)
}
