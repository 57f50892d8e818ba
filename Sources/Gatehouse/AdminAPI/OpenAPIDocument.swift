import HTTP

/// `GET /api/v1/openapi.json`: the admin API as an OpenAPI 3.1 document, built from the same
/// `AdminOperation` declarations the router serves, so it lists exactly the routes there are,
/// each with its scope, parameters, request and response schemas, and every error it can answer.
enum OpenAPIDocument {
    static let path = "/api/v1/openapi.json"

    static func build(_ operations: [AdminOperation], providers: [String], version: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method.lowercased()] = describe(operation)
        }
        paths[path] = ["get": .object([
            "operationId": "getOpenAPIDocument", "summary": "This document.", "tags": ["meta"], "security": [],
            "responses": .object(["200": .object([
                "description": "The OpenAPI 3.1 document of the admin API.",
                "content": .object(["application/json": .object(["schema": .object(["type": "object"])])]),
            ])]),
        ])]
        return .object([
            "openapi": "3.1.0",
            "info": .object([
                "title": "Gatehouse admin API", "version": .string(version),
                "description": .string(
                    "Users, identities (with pre-provisioning), sessions, providers, the audit trail and the linking simulator. "
                        + "Every request carries an API token (`gatehouse tokens create`) as `Authorization: Bearer`; each operation "
                        + "names the scope it needs (`x-required-scope`), and `admin` grants them all. Errors are RFC 9457 "
                        + "problem+json with a stable `type` (`urn:gatehouse:problem:<code>`). Listings page with `limit` and an "
                        + "opaque `cursor`; single resources carry an `ETag` that `If-Match` checks on changes."
                ),
            ]),
            "servers": [.object(["url": "/"])],
            "security": [.object(["bearer": []])],
            "tags": .array(tags.map { name, description in .object(["name": .string(name), "description": .string(description)]) }),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "securitySchemes": .object(["bearer": .object([
                    "type": "http", "scheme": "bearer",
                    "description": .string("An API token: `gha_<id>_<secret>`. Scopes: "
                        + APIScope.allCases.map { "`\($0.rawValue)` (\($0.meaning))" }.joined(separator: "; ") + "."),
                ])]),
                "schemas": .object(APISchema.components(providers: providers)),
                "responses": .object(errorResponses),
            ]),
        ])
    }

    static let tags: [(String, String)] = [
        ("users", "Local accounts."), ("identities", "Accounts at providers linked to users."),
        ("sessions", "Who is signed in."), ("providers", "The configured providers."), ("directories", "The configured LDAP and Active Directory sources."),
        ("events", "The audit trail and the link decisions."), ("tokens", "API tokens."), ("meta", "This document."),
    ]

    private static func describe(_ operation: AdminOperation) -> JSONValue {
        var members: [String: JSONValue] = [
            "operationId": .string(operation.operationID), "summary": .string(operation.summary),
            "description": .string("Needs the scope `\(operation.scope.rawValue)` (or `admin`)."),
            "tags": [.string(operation.tag)], "x-required-scope": .string(operation.scope.rawValue),
        ]
        if !operation.parameters.isEmpty {
            members["parameters"] = .array(operation.parameters.map { parameter in
                .object([
                    "name": .string(parameter.name), "in": .string(parameter.location.rawValue), "required": .bool(parameter.required),
                    "description": .string(parameter.description), "schema": parameter.schema,
                ])
            })
        }
        if let body = operation.requestBody {
            members["requestBody"] = .object(["required": true, "content": .object(["application/json": .object(["schema": body])])])
        }
        var responses: [String: JSONValue] = [:]
        for status in operation.documentedStatuses {
            responses[String(status)] = status == operation.success.status
                ? success(operation.success) : .object(["$ref": .string("#/components/responses/\(errorNames[status] ?? "Problem")")])
        }
        members["responses"] = .object(responses)
        return .object(members)
    }

    private static func success(_ success: APISuccess) -> JSONValue {
        var response: [String: JSONValue] = ["description": .string(success.description)]
        if let schema = success.schema {
            response["content"] = .object(["application/json": .object(["schema": schema])])
        }
        var headers: [String: JSONValue] = [:]
        if success.entityTag {
            headers["ETag"] = .object(["description": "The version, for If-Match.", "required": true, "schema": .object(["type": "string"])])
        }
        if success.location {
            headers["Location"] = .object(["description": "Where the new resource is.", "required": true, "schema": .object(["type": "string"])])
        }
        if !headers.isEmpty { response["headers"] = .object(headers) }
        return .object(response)
    }

    private static let errorNames: [Int: String] = [
        400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 412: "PreconditionFailed",
        415: "UnsupportedMediaType", 422: "ValidationFailed", 503: "Unavailable",
    ]

    private static var errorResponses: [String: JSONValue] {
        let descriptions: [Int: String] = [
            400: "A query parameter is invalid or unknown (`invalid_request`), or the body is not JSON (`malformed_json`).",
            401: "No API token, or not a live one (`unauthorized`). Past an address's free failures the answer carries `Retry-After`.",
            403: "The token lacks the scope this operation needs (`insufficient_scope`).",
            404: "No such resource (`not_found`).",
            409: "The change would break a rule of the store; `code` names which (`username_taken`, `identity_owned_by_another_user`, "
                + "`last_sign_in_method`, ...), `owner_user_id` whom it concerns.",
            412: "`If-Match` names another version than the current one (`version_mismatch`).",
            415: "The body is not `application/json` (`unsupported_media_type`).",
            422: "Fields are invalid or unknown (`validation_failed`); `errors` lists each with its JSON Pointer (or, for a query "
                + "parameter such as a made-up `cursor`, its name).",
            503: "The server is too busy to take this now, or the database cannot answer (`unavailable`); retry after `Retry-After`.",
        ]
        var responses: [String: JSONValue] = [:]
        for (status, name) in errorNames {
            var response: [String: JSONValue] = [
                "description": .string(descriptions[status] ?? ""),
                "content": .object([ProblemDetails.mediaType: .object(["schema": APISchema.ref("Problem")])]),
            ]
            switch status {
            case 401: response["headers"] = .object(["WWW-Authenticate": .object(["required": true, "schema": .object(["type": "string"])])])
            case 503: response["headers"] = .object(["Retry-After": .object(["required": true, "schema": .object(["type": "string"])])])
            default: break
            }
            responses[name] = .object(response)
        }
        return responses
    }
}
