import HTTP

/// An admin API error as RFC 9457 problem+json. Each kind has a stable `type`
/// (`urn:gatehouse:problem:<code>`) that clients switch on, and the members every problem of
/// Gatehouse carries: `code`, `request_id`. Validation problems list each field with a JSON
/// Pointer into the request body (or the query parameter's name); conflicts name the user that
/// holds what was asked for.
struct APIProblem: Error, HTTPResponseError {
    let status: HTTPStatus
    let code: String
    let detail: String
    var extensions: [String: JSONValue] = [:]
    var headers: [(String, String)] = []

    static func type(_ code: String) -> String { "urn:gatehouse:problem:" + code }

    func response(for request: Request) -> Response {
        var members = extensions
        members["code"] = .string(code)
        if !request.requestID.isEmpty { members["request_id"] = .string(request.requestID) }
        var response = Response.problem(ProblemDetails(type: Self.type(code), status: status, detail: detail, extensions: members))
        for (name, value) in headers { response.headers.set(name, value) }
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    // MARK: The kinds

    static func unauthorized(_ detail: String) -> APIProblem {
        APIProblem(
            status: .unauthorized, code: "unauthorized", detail: detail,
            headers: [("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"")]
        )
    }

    static func invalidToken() -> APIProblem {
        APIProblem(
            status: .unauthorized, code: "unauthorized", detail: "The bearer token is not a live API token.",
            headers: [("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\", error=\"invalid_token\"")]
        )
    }

    static func insufficientScope(_ needed: APIScope) -> APIProblem {
        APIProblem(
            status: .forbidden, code: "insufficient_scope", detail: "This token lacks the scope \(needed.rawValue), which this request needs.",
            extensions: ["required_scope": .string(needed.rawValue)],
            headers: [("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\", error=\"insufficient_scope\", scope=\"\(needed.rawValue)\"")]
        )
    }

    /// A query parameter that has the documented form but names nothing this API gave (a
    /// cursor made up by the client): 422, as an invalid body member is.
    static func invalidParameterValue(_ detail: String, parameter: String) -> APIProblem {
        APIProblem(
            status: .unprocessableContent, code: "validation_failed", detail: detail,
            extensions: ["errors": .array([.object(["parameter": .string(parameter), "detail": .string(detail)])])]
        )
    }

    static func invalidRequest(_ detail: String, parameter: String? = nil) -> APIProblem {
        var problem = APIProblem(status: .badRequest, code: "invalid_request", detail: detail)
        if let parameter {
            problem.extensions["errors"] = .array([.object(["parameter": .string(parameter), "detail": .string(detail)])])
        }
        return problem
    }

    static func malformedJSON(_ detail: String) -> APIProblem {
        APIProblem(status: .badRequest, code: "malformed_json", detail: detail)
    }

    static let unsupportedMediaType = APIProblem(
        status: .unsupportedMediaType, code: "unsupported_media_type", detail: "The request body must be application/json."
    )

    /// The most field problems one answer lists: a small body can hold a great many unknown
    /// members, and the answer must not grow with them.
    static let mostListedProblems = 50

    static func validation(_ problems: [AdministrationError.FieldProblem]) -> APIProblem {
        let errors: [JSONValue] = problems.prefix(mostListedProblems).map { problem in
            .object(["pointer": .string(pointer(problem.field)), "detail": .string(problem.reason)])
        }
        var summary = problems.count == 1 ? "One field is invalid." : "\(problems.count) fields are invalid."
        if problems.count > mostListedProblems { summary += " The first \(mostListedProblems) are listed." }
        return APIProblem(status: .unprocessableContent, code: "validation_failed", detail: summary, extensions: ["errors": .array(errors)])
    }

    /// A field path (`identities/0/provider`, its tokens already escaped) as a JSON Pointer
    /// (RFC 6901): `/identities/0/provider`. The empty path is the whole document.
    static func pointer(_ field: String) -> String {
        field.isEmpty ? "" : "/" + field
    }

    /// Every typed refusal of the administration services.
    static func from(_ error: AdministrationError) -> APIProblem {
        switch error {
        case .notFound(let what):
            return APIProblem(status: .notFound, code: "not_found", detail: "There is no \(what).")
        case .invalid(let problems):
            return validation(problems)
        case .conflict(let conflict):
            var extensions: [String: JSONValue] = [:]
            if let owner = conflict.ownerUserID { extensions["owner_user_id"] = .int(Int(owner)) }
            if let identity = conflict.identityID { extensions["identity_id"] = .int(Int(identity)) }
            if let field = conflict.field { extensions["pointer"] = .string(pointer(field)) }
            return APIProblem(status: .conflict, code: conflict.code, detail: conflict.detail, extensions: extensions)
        case .versionMismatch(let current):
            return APIProblem(
                status: .preconditionFailed, code: "version_mismatch",
                detail: "It was changed since the version If-Match names; read it again and retry.",
                extensions: ["current_etag": .string(current)], headers: [("ETag", current)]
            )
        case .unavailable(let why):
            return APIProblem(status: .serviceUnavailable, code: "unavailable", detail: why, headers: [("Retry-After", "1")])
        }
    }
}
