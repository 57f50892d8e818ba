import HTTP
import Store

/// `/healthz` (the process answers), `/readyz` (the database answers and its schema is current)
/// and `/metrics` (Prometheus text). Probes and scrapers call these often: they stay cheap.
struct HealthRoutes: Sendable {
    let database: Database
    let metrics: HTTPMetrics
    let executors: Executors
    /// Each directory's synchroniser, whose runs `/metrics` reports.
    let directorySyncs: [DirectorySync]

    /// `/healthz` and `/readyz`: on every listener, inline (probes must never queue).
    func registerProbes(in routes: inout RouterBuilder) {
        routes.get("/healthz") { _ in Self.healthy }
        routes.get("/readyz") { [database] _ in
            do {
                let status = try Migrator(migrations: EmbeddedMigrations.all).status(of: database)
                guard status.isCurrent else {
                    throw HTTPError.serviceUnavailable(retryAfter: 5).with(detail: "The database's schema is not this version's (see the server log).")
                }
                return try Response.json(.object([
                    "status": .string("ready"), "schema_version": status.currentVersion.map { .int($0) } ?? .null,
                ]))
            } catch let error as HTTPError {
                throw error
            } catch {
                throw HTTPError.serviceUnavailable(retryAfter: 5).with(detail: "The database is not reachable.")
            }
        }
    }

    /// `/metrics` counts rows, which takes longer on a big database: it runs on `executor`.
    /// `authorize` runs first (on the public listener, it asks for a `metrics:read` token).
    func registerMetrics(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice, authorize: @escaping @Sendable (Request) throws -> Void) {
        routes.get("/metrics", on: executor) { [self] request in
            try authorize(request)
            var text = metrics.render() + executorMetrics() + DirectorySyncMetrics.render(directorySyncs)
            if let statistics = try? database.statistics() {
                text += statistics.render()
            }
            var response = Response.text(text)
            response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }

    /// Each executor's load: whether blocking work is queueing, and how often it was refused.
    private func executorMetrics() -> String {
        var out = "# HELP gatehouse_executor_waiting Jobs waiting for a thread, by executor.\n# TYPE gatehouse_executor_waiting gauge\n"
        var running = "# HELP gatehouse_executor_running Jobs running, by executor.\n# TYPE gatehouse_executor_running gauge\n"
        var refused = "# HELP gatehouse_executor_refused_total Jobs refused with 503 for want of room, by executor.\n"
            + "# TYPE gatehouse_executor_refused_total counter\n"
        var expired = "# HELP gatehouse_executor_expired_total Jobs answered 503 after waiting too long in the queue, by executor.\n"
            + "# TYPE gatehouse_executor_expired_total counter\n"
        for executor in executors.all {
            let load = executor.load
            out += "gatehouse_executor_waiting{executor=\"\(executor.name)\"} \(load.waiting)\n"
            running += "gatehouse_executor_running{executor=\"\(executor.name)\"} \(load.running)\n"
            refused += "gatehouse_executor_refused_total{executor=\"\(executor.name)\"} \(load.refused)\n"
            expired += "gatehouse_executor_expired_total{executor=\"\(executor.name)\"} \(load.expired)\n"
        }
        return out + running + refused + expired
    }

    private static let healthy: Response = {
        var response = Response.text("ok\n")
        response.headers.set("Cache-Control", "no-store")
        return response
    }()
}
