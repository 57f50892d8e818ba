import Foundation
import HTTP
import Logging

/// The admin JSON API (issue 13): every `AdminOperation` behind a scoped API token, on the
/// admin executor (password hashing on the password executor), and the OpenAPI document
/// describing them.
struct AdminAPI: Sendable {
    let administration: Administration
    let authentication: APIAuthentication
    let operations: [AdminOperation]
    let document: [UInt8]

    init(administration: Administration, audit: AuditRecorder, logger: Logger) {
        self.administration = administration
        authentication = APIAuthentication(administration: administration, audit: audit, logger: logger)
        operations = Self.operations(providers: administration.config.providers.map(\.slug))
        document = AdminRepresentation.encoded(OpenAPIDocument.build(
            operations, providers: administration.config.providers.map(\.slug), version: GatehouseVersion.current
        ))
    }

    /// Every operation; `providers` are the configured slugs, which a provider path names.
    static func operations(providers: [String]) -> [AdminOperation] {
        AdminUsersAPI.operations + AdminIdentitiesAPI.operations + AdminSessionsAPI.operations
            + AdminProvidersAPI.operations(providers: providers) + AdminTrailAPI.operations + AdminTokensAPI.operations
    }

    func register(in routes: inout RouterBuilder, executors: Executors) {
        for operation in operations {
            let executor = operation.executor == .passwords ? executors.passwordsChoice : executors.adminChoice
            routes.add(method: operation.method, pattern: operation.routePattern, executor: executor) { [self] request in
                try run(operation, request)
            }
        }
        routes.get(OpenAPIDocument.path) { [document] _ in
            var response = Response(status: .ok, headers: ["Content-Type": MediaType.json], body: document)
            response.headers.set("Cache-Control", "no-cache")
            return response
        }
    }

    /// Authorizes, then runs the handler; a typed refusal of the services becomes its problem.
    /// The answer says how long it took here (`Server-Timing: app;dur=<ms>`, the W3C header
    /// browsers' tools and `make bench` read), so a slow query shows without a profiler.
    private func run(_ operation: AdminOperation, _ request: Request) throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            let token = try authentication.authorize(request, needing: operation.scope)
            response = try operation.handler(AdminCall(request: request, token: token, administration: administration))
        } catch let error as AdministrationError {
            response = APIProblem.from(error).response(for: request)
        } catch let error as any HTTPResponseError {
            response = error.response(for: request)
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers.set("Server-Timing", "app;dur=" + String(format: "%.3f", milliseconds))
        // The id the audit log files this request's changes under, for the operator's own log.
        response.headers.set("X-Request-ID", request.requestID)
        return response
    }

    /// `/metrics` on the public listener: a token with `metrics:read` (or `admin`).
    func authorizeMetrics(_ request: Request) throws {
        do {
            _ = try authentication.authorize(request, needing: .metricsRead)
        } catch let error as AdministrationError {
            throw APIProblem.from(error)
        }
    }
}
