import BackChannel
import Directory
import Foundation
import HTTP
import Logging
import OIDC
import Store
import Synchronization
import Templates

/// Why the app could not be assembled at start.
public enum GatehouseAppError: Error, Sendable, CustomStringConvertible {
    /// A provider's back channel cannot be set up (an unreadable CA bundle).
    case backChannel(BackChannelError)
    /// A page template is missing or broken; the message names the file and line.
    case templates(TemplateError)
    /// A directory's settings were refused by the LDAP client.
    case directory(DirectoryError)

    public var description: String {
        switch self {
        case .backChannel(let error): "cannot set up the providers' back channel: \(error)"
        case .templates(let error): "cannot load the page templates: \(error)"
        case .directory(let error): "cannot set up a directory: \(error)"
        }
    }
}

/// The one place that wires configuration, the store, sessions and the HTTP routes together.
public final class GatehouseApp: Sendable {
    public let config: GatehouseConfig
    public let database: Database
    public let sessions: SessionManager
    public let metrics = HTTPMetrics()
    let logger: Logger
    /// The public listener's routes.
    public let router: Router
    /// The routes of `server.management_listen` (the admin API, `/metrics`, the probes), or nil
    /// when the public listener serves them.
    public let managementRouter: Router?
    /// The administration services the admin API calls.
    public let administration: Administration

    /// The configured OpenID Providers by slug, each with its own back-channel client and caches.
    public let providers: [String: ProviderConnection]
    let linking: AccountLinking
    /// The configured directories with their LDAP clients, in file order.
    let directories: [DirectorySource]
    /// One synchroniser per directory, shared by the schedule and the admin services.
    let directorySyncs: [String: DirectorySync]

    /// The page templates, loaded and checked once: a broken template stops the start.
    let pages: PageRenderer
    /// Where handlers that may block run (issue 12 section 2).
    let executors: Executors

    /// `clock` gives unix seconds; tests pass their own to move time without waiting.
    /// Throws when a provider's back channel cannot be set up (an unreadable CA bundle) or the
    /// page templates under `server.public_dir` are missing or broken.
    public init(
        config: GatehouseConfig, database: Database, logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws(GatehouseAppError) {
        self.config = config
        self.database = database
        self.logger = logger
        self.sessions = SessionManager(database: database, settings: SessionSettings(config: config))
        var providers: [String: ProviderConnection] = [:]
        for provider in config.providers {
            do {
                providers[provider.slug] = ProviderConnection(settings: provider.settings, transport: try BackChannelTransport(for: provider.settings))
            } catch {
                throw .backChannel(error)
            }
        }
        self.providers = providers
        let executors = Executors(
            providerSlugs: config.providers.map(\.slug), directorySlugs: config.directories.map(\.slug),
            processorCount: ProcessInfo.processInfo.activeProcessorCount
        )
        self.executors = executors
        let pages: PageRenderer
        do { pages = try PageRenderer(publicDirectory: config.server.publicDirectory) } catch { throw .templates(error) }
        self.pages = pages
        let staticFiles = Self.makeStaticFiles(config: config, logger: logger)
        let landing = Pages(config: config, sessions: sessions, database: database, pages: pages, clock: clock)
        let returnTarget = ReturnTarget(config: config.forwardAuth)
        let login = LoginPage(config: config, returnTarget: returnTarget, sessions: sessions, pages: pages)
        let linking = AccountLinking(
            database: database,
            policies: Dictionary(uniqueKeysWithValues: config.providers.map { ($0.slug, $0.policy) } + config.directories.map { ($0.slug, $0.policy) }),
            reservedUsernames: ReservedUsernames(config.accounts.reservedUsernames)
        )
        self.linking = linking
        // The one end of every sign-in, whatever proved who the person is.
        let completion = SignInCompletion(database: database, sessions: sessions, linking: linking)
        let signIn = OIDCSignIn(
            providers: providers, publicURL: config.server.publicURL, database: database, sessions: sessions,
            linking: linking, completion: completion, pages: pages, logger: logger, clock: clock, forwardAuth: config.forwardAuth,
            maxPendingFlows: config.database.maxPendingSignInFlows,
            maxStartsPerClient: config.database.maxSignInStartsPerClient
        )
        let backChannelLogout = BackChannelLogoutEndpoint(
            providers: providers, enabled: Set(config.providers.filter(\.backChannelLogout).map(\.slug)),
            recording: BackChannelLogoutRecording(database: database), logger: logger, clock: clock
        )
        let forwardAuth = ForwardAuthEndpoint(config: config, sessions: sessions, logger: logger, clock: clock)
        let me = MeEndpoint(database: database, sessions: sessions, clock: clock)
        let csrf = CSRFProtection(expectedOrigin: config.server.publicURL.origin)
        let directories: [DirectorySource]
        do { directories = try DirectorySource.all(config.directories, requiredGroups: config.forwardAuth.requiredGroups) } catch { throw .directory(error) }
        self.directories = directories
        let directorySyncs = Dictionary(uniqueKeysWithValues: directories.map { source in
            (source.config.slug, DirectorySync(source: source, database: database, logger: logger, clock: clock))
        })
        self.directorySyncs = directorySyncs
        let health = HealthRoutes(
            database: database, metrics: metrics, executors: executors, directorySyncs: directorySyncs.values.map { $0 }
        )
        let passwordSignIn = PasswordSignIn(
            database: database,
            settings: PasswordSignInSettings(
                identifierFields: config.login.identifierFields,
                caseSensitive: config.login.caseSensitive
            ),
            throttle: LoginThrottle(), order: config.passwordSources, directories: directories, logger: logger
        )
        let loginSubmission = LoginSubmission(
            config: config, returnTarget: returnTarget, sessions: sessions, passwords: passwordSignIn, completion: completion,
            csrf: csrf, pages: pages, logger: logger, clock: clock
        )
        let signOut = SignOut(
            providers: providers, publicOrigin: config.server.publicURL.origin, database: database, sessions: sessions,
            csrf: csrf, pages: pages, logger: logger, clock: clock, state: SignOutState(publicURLIsHTTPS: config.server.publicURL.isHTTPS)
        )
        let account = AccountPage(
            config: config, database: database, sessions: sessions, signIn: signIn,
            unlinking: IdentityUnlinking(database: database, waysIn: WaysToSignIn(config)), csrf: csrf,
            pages: pages, logger: logger, clock: clock
        )
        let administration = Administration(
            database: database, config: config, connections: providers, directorySyncs: directorySyncs, clock: clock
        )
        self.administration = administration
        let adminAPI = AdminAPI(administration: administration, audit: AuditRecorder(database: database, logger: logger), logger: logger)
        let hasManagementListener = !config.server.managementListenAddresses.isEmpty
        let metricsNeedToken = config.server.metricsRequireToken
        // Inline: health, forward-auth, static files. Everything that may block: an executor.
        router = Router { routes in
            health.registerProbes(in: &routes)
            if !hasManagementListener {
                adminAPI.register(in: &routes, executors: executors)
                health.registerMetrics(in: &routes, on: executors.adminChoice) { request in
                    if metricsNeedToken { try adminAPI.authorizeMetrics(request) }
                }
            }
            landing.register(in: &routes, on: executors.storeChoice)
            login.register(in: &routes)
            loginSubmission.register(in: &routes, on: executors.login(loginSubmission.passwords))
            signIn.register(in: &routes, on: executors.providerOfRequest)
            backChannelLogout.register(in: &routes, on: executors.providerOfRequest)
            me.register(in: &routes)
            account.register(in: &routes, on: executors.storeChoice, providerExecutor: executors.providerOfRequest)
            signOut.register(in: &routes, on: executors.storeChoice)
            forwardAuth.register(in: &routes)
            if let staticFiles {
                routes.get("/static/*path") { request in staticFiles.respond(to: request) }
            }
        }
        // The management listener: the admin API (tokens still required), /metrics for the
        // scraper that can reach it, and the probes.
        managementRouter = hasManagementListener ? Router { routes in
            health.registerProbes(in: &routes)
            adminAPI.register(in: &routes, executors: executors)
            health.registerMetrics(in: &routes, on: executors.adminChoice) { _ in }
        } : nil
    }

    /// The responder the HTTP server calls: the router, with unexpected errors logged under the
    /// request id the error page shows, so an operator can find the cause of a user's report.
    public var responder: any Responder { AppResponder(router: router, pages: pages, logger: logger) }

    /// The management listener's responder, or nil when `server.management_listen` is not set.
    public var managementResponder: (any Responder)? {
        managementRouter.map { AppResponder(router: $0, pages: pages, logger: logger) }
    }

    /// The management listener's server: its own addresses, one event loop, few connections.
    public var managementServerConfiguration: HTTPServerConfiguration? {
        guard !config.server.managementListenAddresses.isEmpty else { return nil }
        var configuration = serverConfiguration
        configuration.listen = config.server.managementListenAddresses
        configuration.maxConnections = min(256, config.server.maxConnections)
        configuration.eventLoopCount = 1
        return configuration
    }

    public var serverConfiguration: HTTPServerConfiguration {
        let server = config.server
        return HTTPServerConfiguration(
            listen: server.listenAddresses,
            limits: server.limits.httpLimits,
            timeouts: server.timeouts.connectionTimeouts,
            maxConnections: server.maxConnections,
            maxConnectionsPerClient: server.maxConnectionsPerClient,
            forwarding: ForwardedHeaders(isTrustedProxy: { [server] address in server.isTrustedProxy(address) }),
            securityHeaders: .forPublicURL(isHTTPS: server.isHTTPS),
            loopThreadHooks: loopReaders
        )
    }

    /// A database reader for each event loop, of its own: forward-auth and `/api/v1/me` read
    /// on the loop, and a wait there for a pooled reader would hold every connection of the
    /// loop (review finding: the loops waited up to the busy timeout while admin listings or
    /// `/metrics` held the pool). A loop whose reader cannot be opened reads from the pool.
    private var loopReaders: LoopThreadHooks {
        LoopThreadHooks(
            started: { [database, logger] in
                do {
                    try database.dedicateReaderToCurrentThread()
                } catch {
                    logger.warning("an event loop reads from the shared database readers", metadata: ["error": "\(error)"])
                }
            },
            ending: { [database] in database.releaseCurrentThreadsReader() }
        )
    }

    /// Ends the executors' threads once their running jobs finish (queued ones are told they
    /// expired); call after the server has stopped taking requests.
    public func shutdown() {
        executors.shutdown()
    }

    /// Asks each provider's discovery once, on that provider's executor (it may block up to the
    /// back channel's timeout), and logs whether it can sign anyone in: an unusable client
    /// authentication is an error the operator sees at start, not at the first sign-in.
    func reportProviderReadiness() {
        for (index, provider) in config.providers.enumerated() {
            guard let connection = providers[provider.slug], let executor = executors.provider(provider.slug) else { continue }
            let logger = logger
            _ = executor.submit {
                let readiness = ProviderReadiness.check(connection, path: "$.providers[\(index)]", now: Int64(Date().timeIntervalSince1970))
                var metadata: Logger.Metadata = ["provider": "\(readiness.slug)", "path": "\(readiness.path)"]
                switch readiness.verdict {
                case .ready(let method, let chosen, let warning):
                    metadata["client_authentication"] = "\(method.rawValue)"
                    metadata["chosen_from_discovery"] = "\(chosen)"
                    if let warning { logger.warning("provider ready, with a warning: \(warning)", metadata: metadata) } else { logger.info("provider ready", metadata: metadata) }
                case .unreachable(let why):
                    logger.warning("provider discovery could not be fetched; sign-ins will retry it", metadata: metadata.merging(["error": "\(why)"]) { $1 })
                case .unusable(let why):
                    logger.error("provider cannot sign anyone in: \(why)", metadata: metadata)
                }
            }
        }
    }

    /// Stores what the configuration says the database must enforce, before serving; a throw
    /// means do not serve. Each provider's linking policy (`provider_policies`, whose CHECK
    /// constraints refuse an unsafe one) and the count of audit entries and denied link decisions
    /// anyone can cause (`database.max_unauthenticated_audit_entries`, kept by the triggers of
    /// migrations 0015, 0016 and 0018).
    public func recordConfiguration(now: Int64) throws {
        try PolicyRecording.record(config.providers, database: database, now: now)
        try PolicyRecording.record(config.directories, database: database, now: now)
        try database.write { connection in
            try AuditLogRepository(connection).setUnauthenticatedCap(Int64(config.database.maxUnauthenticatedAuditEntries))
        }
    }

    /// What one purge removed.
    public struct Purged: Sendable, Equatable {
        public let sessions: Int
        public let flows: Int
        /// Past retention, and (after `database.max_unauthenticated_audit_entries` was lowered)
        /// the oldest entries of unauthenticated attempts beyond it.
        public let auditEntries: Int
        /// Past retention, and (after the cap was lowered) the oldest denies beyond it.
        public let linkDecisions: Int
        /// Back-channel logout tokens whose replay record has expired with them.
        public let logoutTokens: Int

        public var total: Int { sessions + flows + auditEntries + linkDecisions + logoutTokens }
    }

    /// Deletes dead sessions, sign-in flows past their expiry, the replay records of logout
    /// tokens that are refused by now anyway, and audit entries and link decisions older than
    /// `database.audit_retention_days`: what bounds the database's size. Entries of
    /// unauthenticated attempts and denied link decisions beyond their cap (left over when it was
    /// lowered) go too. Every kind of row goes in `batches`, each batch its own short write
    /// transaction, so a backlog never holds the writer for long (`PurgeBatches` says why).
    ///
    /// The logout tokens' replay record is the exception: one statement, since it holds at most
    /// `LogoutTokenLedger.capacityPerIssuer` rows per provider, and its expired rows are pruned
    /// at each new token too.
    public func purgeExpired(now: Int64, in batches: PurgeBatches = PurgeBatches()) throws -> Purged {
        let sessionsRemoved = try sessions.purgeExpired(now: now, in: batches)
        let cutoff = now - Int64(config.database.auditRetentionDays) * 86_400
        let flows = try batches.run(on: database) { connection, size in
            try SignInFlowRepository(connection).deleteExpired(before: now, atMost: size)
        }
        let entries = try batches.run(on: database) { connection, size in
            try AuditLogRepository(connection).deleteOlder(than: cutoff, limit: size)
        }
        let decisions = try batches.run(on: database) { connection, size in
            try LinkDecisionRepository(connection).deleteOlder(than: cutoff, limit: size)
        }
        let trimmedEntries = try batches.run(on: database) { connection, size in
            try AuditLogRepository(connection).trimUnauthenticated(limit: size)
        }
        let trimmedDecisions = try batches.run(on: database) { connection, size in
            try LinkDecisionRepository(connection).trimDenied(limit: size)
        }
        let logoutTokens = try database.write { connection in try LogoutTokenLedger(connection).deleteExpired(now: now) }
        return Purged(
            sessions: sessionsRemoved, flows: flows, auditEntries: entries + trimmedEntries, linkDecisions: decisions + trimmedDecisions,
            logoutTokens: logoutTokens
        )
    }

    /// The static files built into the binary, or those of `server.public_dir` when set.
    private static func makeStaticFiles(config: GatehouseConfig, logger: Logger) -> StaticFiles? {
        guard let publicDirectory = config.server.publicDirectory else {
            var files: [String: [UInt8]] = [:]
            for (path, encoded) in EmbeddedPublic.staticFiles {
                files[path] = Data(base64Encoded: encoded).map { Array($0) }
            }
            return StaticFiles(embedded: files, modified: Int(Date().timeIntervalSince1970))
        }
        let root = (publicDirectory as NSString).appendingPathComponent("static")
        do {
            return try StaticFiles(root: root)
        } catch {
            logger.warning("static files disabled", metadata: ["root": "\(root)", "error": "\(error)"])
            return nil
        }
    }
}

/// The router, with the answers the router gives on its own (no route matched; a handler failed
/// unexpectedly; a route's executor is full) turned into designed pages for a browser. The
/// router has already chosen the format: problem+json for `/api/` and JSON clients stays as it
/// is; only its plain HTML fallback is replaced by `error.html`.
struct AppResponder: Responder {
    let router: Router
    let pages: PageRenderer
    let logger: Logger

    func respond(to request: Request) -> Response {
        switch answer(request) {
        case .now(let response): response
        case .deferred(_, let work, _): work()
        }
    }

    func answer(_ request: Request) -> Answer {
        let fault = FaultFlag()
        let logger = self.logger
        let answer = router.answer(request) { error, request in
            // A writer held longer than the busy timeout (an operator's command or a migration
            // in another process) is no fault of this server: the request is told to come back.
            if let error = error as? StoreError, error.code == .busy {
                fault.raise(.databaseBusy)
                logger.warning("database busy", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
                return
            }
            fault.raise(.unexpected)
            logger.error("unexpected error", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
        }
        switch answer {
        case .now(let response):
            return .now(present(response, for: request, fault: fault.raised))
        case .deferred(let executor, let work, let overloaded):
            return .deferred(
                executor: executor,
                work: { [self] in present(work(), for: request, fault: fault.raised) },
                overloaded: { [self] in busy(overloaded(), for: request) }
            )
        }
    }

    private func present(_ response: Response, for request: Request, fault: FaultFlag.Kind?) -> Response {
        if fault == .databaseBusy {
            var unavailable = HTTPError.serviceUnavailable(retryAfter: DatabaseBusy.retryAfterSeconds).response(for: request)
            unavailable.routePattern = response.routePattern
            return busy(unavailable, for: request)
        }
        guard response.headers["Content-Type"]?.hasPrefix("text/html") == true else { return response }
        let context: ErrorPageContext
        if fault == .unexpected {
            context = .serverFault(reference: request.requestID)
        } else if response.status == .notFound && response.routePattern == nil {
            context = .notFound(reference: request.requestID)
        } else {
            return response
        }
        var page = pages.errorPage(context, status: response.status)
        page.routePattern = response.routePattern
        return page
    }

    /// The executor's queue is full: a browser gets a designed page that says to try again in
    /// a moment, with the same `Retry-After`.
    private func busy(_ response: Response, for request: Request) -> Response {
        guard response.headers["Content-Type"]?.hasPrefix("text/html") == true else { return response }
        var page = pages.errorPage(.busy(reference: request.requestID), status: response.status)
        if let retryAfter = response.headers["Retry-After"] { page.headers.set("Retry-After", retryAfter) }
        page.routePattern = response.routePattern
        return page
    }
}

/// Whether a request's handler failed, and how, told by the router's report to the page.
private final class FaultFlag: Sendable {
    enum Kind: UInt8 {
        /// An error nothing expected: a 500 with the server-fault page.
        case unexpected = 1
        /// The database stayed busy (`StoreError.busy`): a 503 with `Retry-After`.
        case databaseBusy = 2
    }

    private let kind = Atomic<UInt8>(0)
    func raise(_ raised: Kind) { kind.store(raised.rawValue, ordering: .relaxed) }
    var raised: Kind? { Kind(rawValue: kind.load(ordering: .relaxed)) }
}
