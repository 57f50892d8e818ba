import BackChannel
import Foundation
import HTTP
import Logging
import OIDC
import Store

/// The one place that wires configuration, the store, sessions and the HTTP routes together.
public final class GatehouseApp: Sendable {
    public let config: GatehouseConfig
    public let database: Database
    public let sessions: SessionManager
    public let metrics = HTTPMetrics()
    let logger: Logger
    let router: Router

    /// The configured OpenID Providers by slug, each with its own back-channel client and caches.
    public let providers: [String: ProviderConnection]

    /// `clock` gives unix seconds; tests pass their own to move time without waiting.
    /// Throws when a provider's back channel cannot be set up (an unreadable CA bundle).
    public init(
        config: GatehouseConfig, database: Database, logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws(BackChannelError) {
        self.config = config
        self.database = database
        self.logger = logger
        self.sessions = SessionManager(database: database, settings: SessionSettings(config: config))
        var providers: [String: ProviderConnection] = [:]
        for provider in config.providers {
            let client = try ProviderConnection.makeClient(for: provider.settings)
            providers[provider.slug] = ProviderConnection(settings: provider.settings, client: client)
        }
        self.providers = providers
        let staticFiles = Self.makeStaticFiles(config: config, logger: logger)
        let health = HealthRoutes(database: database, metrics: metrics)
        let pages = Pages(config: config, sessions: sessions, database: database, clock: clock)
        let signIn = OIDCSignIn(
            providers: providers, publicURL: config.server.publicURL, database: database, sessions: sessions,
            logger: logger, clock: clock, forwardAuth: config.forwardAuth
        )
        let forwardAuth = ForwardAuthEndpoint(config: config, sessions: sessions, logger: logger, clock: clock)
        let me = MeEndpoint(database: database, sessions: sessions, clock: clock)
        router = Router { routes in
            health.register(in: &routes)
            pages.register(in: &routes)
            signIn.register(in: &routes)
            me.register(in: &routes)
            forwardAuth.register(in: &routes)
            if let staticFiles {
                routes.get("/static/*path") { request in staticFiles.respond(to: request) }
            }
        }
    }

    /// The responder the HTTP server calls: the router, with unexpected errors logged under the
    /// request id the error page shows, so an operator can find the cause of a user's report.
    public var responder: any Responder { AppResponder(router: router, logger: logger) }

    public var serverConfiguration: HTTPServerConfiguration {
        let server = config.server
        return HTTPServerConfiguration(
            listen: server.listenAddresses,
            limits: server.limits.httpLimits,
            timeouts: server.timeouts.connectionTimeouts,
            maxConnections: server.maxConnections,
            forwarding: ForwardedHeaders(isTrustedProxy: { [server] address in server.isTrustedProxy(address) }),
            securityHeaders: .forPublicURL(isHTTPS: server.isHTTPS)
        )
    }

    /// Deletes dead sessions, and sign-in flows that expired over a day ago (kept that long so
    /// a replayed callback is still recognised as a replay rather than as a forgery).
    public func purgeExpired(now: Int64) throws -> (sessions: Int, flows: Int) {
        let sessionsRemoved = try sessions.purgeExpired(now: now)
        let flowsRemoved = try database.write { connection in
            try SignInFlowRepository(connection).deleteExpired(before: now - 86_400)
        }
        return (sessionsRemoved, flowsRemoved)
    }

    private static func makeStaticFiles(config: GatehouseConfig, logger: Logger) -> StaticFiles? {
        let root = (config.server.publicDirectory as NSString).appendingPathComponent("static")
        do {
            return try StaticFiles(root: root)
        } catch {
            logger.warning("static files disabled", metadata: ["root": "\(root)", "error": "\(error)"])
            return nil
        }
    }
}

struct AppResponder: Responder {
    let router: Router
    let logger: Logger

    func respond(to request: Request) -> Response {
        router.respond(to: request) { error, request in
            logger.error("unexpected error", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
        }
    }
}
