import Foundation
import HTTP
import Logging

/// The admin JSON API (issue 13): every `AdminOperation` behind a scoped API token, and the
/// OpenAPI document describing them. Everything runs on the admin executor, the token check and
/// a new password's scrypt included: requests with wrong tokens, or a script that sets a thousand
/// passwords, queue behind each other there and never take a thread a person's sign-in needs.
struct AdminAPI: Sendable {
    let administration: Administration
    let authentication: APIAuthentication
    let operations: [AdminOperation]
    let document: [UInt8]
    let logger: Logger

    init(administration: Administration, audit: AuditRecorder, logger: Logger) {
        self.administration = administration
        self.logger = logger
        authentication = APIAuthentication(administration: administration, audit: audit, logger: logger)
        operations = Self.operations(
            providers: administration.config.providers.map(\.slug), directories: administration.config.directories.map(\.slug)
        )
        document = AdminRepresentation.encoded(OpenAPIDocument.build(
            operations, providers: administration.config.providers.map(\.slug), version: GatehouseVersion.current
        ))
    }

    /// Every operation; `providers` and `directories` are the configured slugs, which their paths name.
    static func operations(providers: [String], directories: [String] = []) -> [AdminOperation] {
        AdminUsersAPI.operations + AdminIdentitiesAPI.operations + AdminSessionsAPI.operations
            + AdminProvidersAPI.operations(providers: providers) + AdminDirectoriesAPI.operations(directories: directories)
            + AdminTrailAPI.operations + AdminTokensAPI.operations
    }

    func register(in routes: inout RouterBuilder, executors: Executors) {
        for operation in operations {
            routes.add(method: operation.method, pattern: operation.routePattern, executor: executors.adminChoice) { [self] request in
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
            try Self.refuseUndeclaredParameters(of: operation, in: request)
            response = try operation.handler(AdminCall(request: request, token: token, administration: administration))
        } catch let error as AdministrationError {
            response = APIProblem.from(error).response(for: request)
        } catch let error as any HTTPResponseError {
            response = error.response(for: request)
        } catch {
            // A fault, not a refusal: logged under the request id the answer carries.
            logger.error("admin API fault", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
            response = HTTPError.internalServerError.response(for: request)
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers.set("Server-Timing", "app;dur=" + String(format: "%.3f", milliseconds))
        // The id the audit log files this request's changes under, for the operator's own log.
        response.headers.set("X-Request-ID", request.requestID)
        return response
    }

    /// A query parameter or an `If-Match` the operation does not declare is refused with 400,
    /// for every operation alike: `DELETE …?dry_run=true` on a route without a dry run, or an
    /// `If-Match` where no version is checked, must not quietly do the real, unchecked thing.
    static func refuseUndeclaredParameters(of operation: AdminOperation, in request: Request) throws {
        let declared = Set(operation.parameters.filter { $0.location == .query }.map(\.name))
        for pair in try request.query where !declared.contains(pair.name) {
            throw APIProblem.invalidRequest("Unknown query parameter \"\(pair.name.prefix(64))\".", parameter: String(pair.name.prefix(64)))
        }
        let takesIfMatch = operation.parameters.contains { $0.location == .header && $0.name == APIParameter.ifMatch.name }
        if !takesIfMatch, request.headers["If-Match"] != nil {
            throw APIProblem.invalidRequest("This operation checks no version: If-Match is not taken here.", parameter: "If-Match")
        }
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
