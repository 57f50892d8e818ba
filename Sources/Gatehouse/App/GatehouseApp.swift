import Foundation
import HTTP
import Logging
import Store

/// The one place that wires configuration, the store, sessions and the HTTP routes together.
public final class GatehouseApp: Sendable {
    public let config: GatehouseConfig
    public let database: Database
    public let sessions: SessionManager
    public let metrics = HTTPMetrics()
    let logger: Logger
    let router: Router

    public init(config: GatehouseConfig, database: Database, logger: Logger) {
        self.config = config
        self.database = database
        self.logger = logger
        self.sessions = SessionManager(database: database, settings: SessionSettings(config: config))
        let staticFiles = Self.makeStaticFiles(config: config, logger: logger)
        let health = HealthRoutes(database: database, metrics: metrics)
        let pages = Pages(config: config)
        router = Router { routes in
            health.register(in: &routes)
            pages.register(in: &routes)
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
