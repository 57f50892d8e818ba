import Synchronization
import Dispatch
import Foundation
import HTTP
import Logging
import OIDC
import Store
#if canImport(Glibc)
import Glibc
#endif

/// The operations behind the command line. Each returns the process exit code:
/// 0 success, 1 a runtime failure (database, socket), 2 a configuration error.
public enum Runtime {
    public static func checkConfig(configPath: String) -> Int32 {
        switch loadConfiguration(configPath) {
        case .failure(let errors):
            printProblems(errors.problems + errors.warnings)
            return 2
        case .success(let config):
            printProblems(config.warnings)
            // Each provider's discovery, asked now: a client authentication that cannot work is
            // an error here rather than at the first sign-in.
            var usable = true
            let now = Int64(Date().timeIntervalSince1970)
            for (index, provider) in config.providers.enumerated() {
                let path = "$.providers[\(index)]"
                if let profile = provider.profile {
                    let filled = provider.profileFilled.isEmpty ? "nothing (every key it fills is set)" : provider.profileFilled.joined(separator: ", ")
                    print("\(path) (\(provider.slug)): profile \(profile.rawValue) set \(filled)")
                }
                let transport: BackChannelTransport
                do { transport = try BackChannelTransport(for: provider.settings) } catch {
                    usable = false
                    print("\(path) (\(provider.slug)): the back channel cannot be set up: \(error.detail)")
                    continue
                }
                let readiness = ProviderReadiness.check(ProviderConnection(settings: provider.settings, transport: transport), path: path, now: now)
                if case .unusable = readiness.verdict { usable = false }
                print(readiness.line)
            }
            guard usable else { return 2 }
            print("\(configPath): configuration is valid")
            for line in ProviderRegistration.lines(config) { print(line) }
            return 0
        }
    }

    public static func migrate(configPath: String) -> Int32 {
        guard let config = loadOrReport(configPath) else { return 2 }
        let logger = makeLogger(config)
        do {
            let database = try openDatabase(config)
            defer { database.close() }
            let applied = try Migrator(migrations: EmbeddedMigrations.all).migrate(database, now: Int64(Date().timeIntervalSince1970))
            logger.notice("migrations applied", metadata: ["applied": "\(applied.count)", "database": "\(config.database.path)"])
            for migration in applied { print("applied \(migration.identifier)") }
            if applied.isEmpty { print("database is up to date") }
            LogSink.standardError.flush()
            return 0
        } catch {
            logger.error("migration failed", metadata: ["error": "\(error)"])
            LogSink.standardError.flush()
            return 1
        }
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and returns 0.
    public static func serve(configPath: String, applyMigrations: Bool) -> Int32 {
        // First, before any thread starts: a SIGTERM during start-up must stop the server, not vanish.
        let shutdownSignals = ShutdownSignals.capture()
        guard let config = loadOrReport(configPath) else { return 2 }
        let logger = makeLogger(config)
        let database: Database
        do {
            database = try openDatabase(config)
            let migrator = try Migrator(migrations: EmbeddedMigrations.all)
            if applyMigrations && config.database.migrateOnStart {
                let applied = try migrator.migrate(database, now: Int64(Date().timeIntervalSince1970))
                if !applied.isEmpty { logger.notice("migrations applied", metadata: ["applied": "\(applied.count)"]) }
            }
            let status = try migrator.status(of: database)
            if let reason = status.notCurrentReason {
                logger.error("cannot serve this database: \(reason)", metadata: ["path": "\(config.database.path)"])
                LogSink.standardError.flush()
                return 1
            }
        } catch {
            logger.error("cannot open the database", metadata: ["error": "\(error)", "path": "\(config.database.path)"])
            LogSink.standardError.flush()
            return 1
        }

        let app: GatehouseApp
        do {
            app = try GatehouseApp(config: config, database: database, logger: logger)
        } catch {
            logger.error("cannot start the app", metadata: ["error": "\(error)"])
            database.close()
            LogSink.standardError.flush()
            return 1
        }
        do {
            try app.recordConfiguration(now: Int64(Date().timeIntervalSince1970))
        } catch {
            logger.error("cannot store the configured policies and limits", metadata: ["error": "\(error)"])
            database.close()
            LogSink.standardError.flush()
            return 1
        }
        for provider in config.providers {
            logger.notice("provider configured", metadata: [
                "provider": "\(provider.slug)", "issuer": "\(provider.settings.issuer)",
                "user_matching_mode": "\(provider.policy.userMatchingMode.rawValue)",
                "sign_in": "\(config.server.publicURL.origin)/oidc/\(provider.slug)/authorize",
            ])
        }
        let server = HTTPServer(
            configuration: app.serverConfiguration, responder: app.responder, logger: logger, metrics: app.metrics
        )
        // The admin API and /metrics on a listener of their own, when configured.
        let management = app.managementServerConfiguration.flatMap { configuration in
            app.managementResponder.map { HTTPServer(configuration: configuration, responder: $0, logger: logger, metrics: app.metrics) }
        }
        do {
            // The management listener first: once the public one takes traffic, all is up.
            try management?.start()
            try server.start()
        } catch {
            logger.error("cannot listen", metadata: ["error": "\(error)"])
            management?.shutdown()
            server.shutdown()
            database.close()
            LogSink.standardError.flush()
            return 1
        }
        for address in server.boundAddresses {
            logger.notice("listening", metadata: ["address": "\(address)", "public_url": "\(config.server.publicURL)"])
        }
        for address in management?.boundAddresses ?? [] {
            logger.notice("management listening", metadata: ["address": "\(address)", "serves": "/api/v1/admin, /api/v1/openapi.json, /metrics"])
        }
        reportDescriptorLimit(maxConnections: config.server.maxConnections, logger: logger)
        app.reportProviderReadiness()

        let purge = schedulePurgeOfDeadSessions(app, logger: logger)
        let directorySyncs = app.scheduleDirectorySyncs()
        shutdownSignals.wait()
        logger.notice("shutting down")
        purge.cancel()
        directorySyncs.forEach { $0.cancel() }
        app.askDirectorySyncsToStop()
        management?.stopAccepting()
        server.stopAccepting()
        management?.shutdown()
        server.shutdown()
        app.shutdown()
        app.finishStoppingDirectorySyncs(waitingUpTo: 10)
        database.close()
        logger.notice("stopped")
        LogSink.standardError.flush()
        return 0
    }

    // MARK: Helpers

    /// Every connection holds a descriptor: the soft limit goes as high as the hard limit allows,
    /// and the operator learns what was obtained, with a warning when it cannot hold
    /// `server.max_connections` connections beside the database and listeners.
    static func reportDescriptorLimit(maxConnections: Int, logger: Logger) {
        guard let limit = DescriptorLimit.raiseToHardLimit() else {
            logger.warning("cannot read the open-file limit (RLIMIT_NOFILE)")
            return
        }
        logger.notice("open-file limit", metadata: ["soft_before": "\(limit.before)", "soft": "\(limit.after)", "hard": "\(limit.hard)"])
        // Each server (the public one and the management one) may hold lingering connections too.
        let needed = UInt64(maxConnections) + 64 + 2 * UInt64(HTTPServer.maximumLingeringConnections)
        if limit.after < needed {
            logger.warning("the open-file limit is below server.max_connections plus what the server itself needs; raise the hard limit (LimitNOFILE= in a systemd unit) or lower max_connections", metadata: [
                "limit": "\(limit.after)", "needed": "\(needed)",
            ])
        }
    }

    /// Every ten minutes: dead sessions, expired sign-in flows and logout-token records, and audit entries past their
    /// retention go, so the tables hold only live rows and the database's size stays bounded.
    static func schedulePurgeOfDeadSessions(_ app: GatehouseApp, logger: Logger) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "gatehouse.session-purge", qos: .utility))
        timer.schedule(deadline: .now() + .seconds(5), repeating: .seconds(600), leeway: .seconds(30))
        timer.setEventHandler {
            do {
                let removed = try app.purgeExpired(now: Int64(Date().timeIntervalSince1970))
                if removed.total > 0 {
                    logger.info("purged dead rows", metadata: [
                        "sessions": "\(removed.sessions)", "sign_in_flows": "\(removed.flows)",
                        "audit_log": "\(removed.auditEntries)", "link_decisions": "\(removed.linkDecisions)",
                        "logout_tokens_seen": "\(removed.logoutTokens)",
                    ])
                }
            } catch {
                logger.warning("session purge failed", metadata: ["error": "\(error)"])
            }
        }
        timer.activate()
        return timer
    }

    static func loadConfiguration(_ path: String) -> Result<GatehouseConfig, ConfigErrors> {
        GatehouseConfig.load(path: path, environment: ProcessInfo.processInfo.environment)
    }

    static func loadOrReport(_ path: String) -> GatehouseConfig? {
        switch loadConfiguration(path) {
        case .failure(let errors):
            printProblems(errors.problems + errors.warnings)
            FileHandle.standardError.write(Data("gatehouse: refusing to start with an invalid configuration (\(path))\n".utf8))
            return nil
        case .success(let config):
            printProblems(config.warnings)
            return config
        }
    }

    static func printProblems(_ problems: [ConfigProblem]) {
        for problem in problems {
            FileHandle.standardError.write(Data("\(problem)\n".utf8))
        }
    }

    static func openDatabase(_ config: GatehouseConfig) throws -> Database {
        let directory = (config.database.path as NSString).deletingLastPathComponent
        if !directory.isEmpty && config.database.path != ":memory:" {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        return try Database(path: config.database.path, options: DatabaseOptions(busyTimeoutMilliseconds: Int32(config.database.busyTimeoutMilliseconds)))
    }

    static func makeLogger(_ config: GatehouseConfig) -> Logger {
        let level = config.logging.level
        let format = config.logging.format
        LoggingBootstrap.once(level: level, format: format)
        var logger = Logger(label: "gatehouse")
        logger.logLevel = level
        return logger
    }
}

/// swift-log's bootstrap may run once per process; tests and commands may ask more than once.
enum LoggingBootstrap {
    private static let done = Synchronization.Mutex(false)

    static func once(level: Logger.Level, format: LoggingConfig.Format) {
        done.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                LineLogHandler(label: label, level: level, format: format, sink: .standardError)
            }
        }
    }
}
