import HTTP
import Store

/// `/healthz` (the process answers), `/readyz` (the database answers and its schema is current)
/// and `/metrics` (Prometheus text). Probes and scrapers call these often: they stay cheap.
struct HealthRoutes: Sendable {
    let database: Database
    let metrics: HTTPMetrics

    func register(in routes: inout RouterBuilder) {
        routes.get("/healthz") { _ in Self.healthy }
        routes.get("/readyz") { [database] _ in
            do {
                let status = try Migrator(migrations: EmbeddedMigrations.all).status(of: database)
                guard status.isCurrent else {
                    throw HTTPError.serviceUnavailable(retryAfter: 5).with(detail: "The database has pending migrations.")
                }
                return try Response.json(Readiness(status: "ready", schemaVersion: status.currentVersion))
            } catch let error as HTTPError {
                throw error
            } catch {
                throw HTTPError.serviceUnavailable(retryAfter: 5).with(detail: "The database is not reachable.")
            }
        }
        routes.get("/metrics") { [metrics] _ in
            var response = Response.text(metrics.render())
            response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }

    private struct Readiness: Encodable {
        let status: String
        let schemaVersion: Int?

        enum CodingKeys: String, CodingKey {
            case status
            case schemaVersion = "schema_version"
        }
    }

    private static let healthy: Response = {
        var response = Response.text("ok\n")
        response.headers.set("Cache-Control", "no-store")
        return response
    }()
}
