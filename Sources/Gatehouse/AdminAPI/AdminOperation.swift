import HTTP
import Store

/// One endpoint of the admin API, declared once: the router serves it from this declaration and
/// the OpenAPI document describes it from the same one, so neither can list a route the other
/// lacks. The errors it documents follow from what it declares (a body can be 415 and 422, a
/// path id 404, `If-Match` 412); `conflicts` adds the 409s it can answer.
struct AdminOperation: Sendable {
    let method: String
    /// The OpenAPI path template, `/api/v1/admin/users/{user_id}`.
    let path: String
    let operationID: String
    let summary: String
    let scope: APIScope
    let tag: String
    var parameters: [APIParameter] = []
    /// The request body's schema; nil for an operation without one.
    var requestBody: JSONValue? = nil
    let success: APISuccess
    /// Whether it can answer 409 (the problem's `code` names the conflict).
    var conflicts = false
    let handler: @Sendable (AdminCall) throws -> Response

    /// The router's form of `path`: `{name}` becomes `:name`.
    var routePattern: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }

    /// Every status it documents, success first.
    var documentedStatuses: [Int] {
        var statuses = [success.status, 401, 403, 503]
        let hasCursor = parameters.contains { $0.name == "cursor" }
        if parameters.contains(where: { $0.location != .path }) || requestBody != nil { statuses.append(400) }
        if hasCursor && requestBody == nil { statuses.append(422) }
        if parameters.contains(where: { $0.location == .path }) { statuses.append(404) }
        if requestBody != nil { statuses += [415, 422] }
        if parameters.contains(where: { $0.location == .header && $0.name == "If-Match" }) { statuses.append(412) }
        if conflicts { statuses.append(409) }
        return statuses
    }
}

/// A parameter of an operation, as OpenAPI describes it.
struct APIParameter: Sendable {
    enum Location: String, Sendable {
        case path, query, header
    }

    let name: String
    let location: Location
    let description: String
    let schema: JSONValue
    var required: Bool { location == .path }

    static func pathID(_ name: String, _ what: String) -> APIParameter {
        APIParameter(name: name, location: .path, description: "The \(what)'s id.", schema: APISchema.id)
    }

    static func query(_ name: String, _ description: String, _ schema: JSONValue) -> APIParameter {
        APIParameter(name: name, location: .query, description: description, schema: schema)
    }

    static let limit = query("limit", "Items per page: 1 to 200, 50 when absent.", APISchema.integer(minimum: 1, maximum: 200))
    static let cursor = query("cursor", "The `next_cursor` of the previous page.", APISchema.string(minLength: 1, maxLength: 64))
    static let ifMatch = APIParameter(
        name: "If-Match", location: .header,
        description: "The `ETag` the change is based on: refused with 412 when it was changed meanwhile.",
        schema: APISchema.string(minLength: 1, maxLength: 128)
    )
}

/// What an operation answers when it succeeds.
struct APISuccess: Sendable {
    let status: Int
    let description: String
    /// The body's schema; nil for 204.
    let schema: JSONValue?
    /// Whether it carries an `ETag` (single resources).
    var entityTag = false
    /// Whether it carries a `Location` (created resources).
    var location = false
}

/// One call of an operation, authorized: the request, the token that made it, and what the
/// handler needs to read its input and answer.
struct AdminCall {
    let request: Request
    let token: AuthenticatedToken
    let administration: Administration

    var actor: AdministrationActor { .token(token.token.name, requestID: request.requestID) }

    /// The integer id in path parameter `name`; anything else names nothing (404).
    func pathID(_ name: String, _ what: String) throws -> Int64 {
        let text = request.pathParameters[name] ?? ""
        guard let id = Int64(text), id > 0, String(id) == text else {
            throw APIProblem(status: .notFound, code: "not_found", detail: "There is no \(what) \(text.prefix(32)).")
        }
        return id
    }

    /// The query parameters, refused with 400 when one is given twice. One the operation does
    /// not declare never gets here (`AdminAPI.refuseUndeclaredParameters`).
    func query() throws -> QueryParameters {
        let query = try request.query
        var seen = Set<String>()
        for pair in query {
            guard seen.insert(pair.name).inserted else {
                throw APIProblem.invalidRequest("The query parameter \"\(pair.name)\" is given twice.", parameter: pair.name)
            }
        }
        return query
    }

    /// `limit` and `cursor` of a listing's query.
    func page(_ query: QueryParameters) throws -> PageRequest {
        var limit = 50
        if let text = query.first("limit") {
            guard let value = Int(text), (1...200).contains(value), String(value) == text else {
                throw APIProblem.invalidRequest("limit is a whole number from 1 to 200.", parameter: "limit")
            }
            limit = value
        }
        var after: Int64?
        if let cursor = query.first("cursor") {
            guard !cursor.isEmpty, cursor.utf8.count <= 64 else {
                throw APIProblem.invalidRequest("cursor is 1 to 64 characters.", parameter: "cursor")
            }
            guard let decoded = PageCursor.decode(cursor) else {
                throw APIProblem.invalidParameterValue("cursor is not one this API gave.", parameter: "cursor")
            }
            after = decoded
        }
        return PageRequest(after: after, limit: limit)
    }

    func integer(_ query: QueryParameters, _ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = query.first(name) else { return nil }
        guard let value = Int64(text), range.contains(value), String(value) == text else {
            throw APIProblem.invalidRequest("\(name) is a whole number from \(range.lowerBound) to \(range.upperBound).", parameter: name)
        }
        return value
    }

    func boolean(_ query: QueryParameters, _ name: String) throws -> Bool? {
        switch query.first(name) {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw APIProblem.invalidRequest("\(name) is true or false.", parameter: name)
        }
    }

    /// A text filter of at most `maximum` bytes, not empty.
    func text(_ query: QueryParameters, _ name: String, maximum: Int = 255) throws -> String? {
        guard let text = query.first(name) else { return nil }
        guard !text.isEmpty, text.utf8.count <= maximum else {
            throw APIProblem.invalidRequest("\(name) is 1 to \(maximum) bytes.", parameter: name)
        }
        return text
    }

    /// The `If-Match` header: absent, `*`, or the `ETag` a change is based on. An empty or
    /// overlong one is malformed (400), never a mismatch.
    var ifMatch: String? {
        get throws {
            guard let value = request.headers["If-Match"] else { return nil }
            guard !value.isEmpty, value.utf8.count <= 128 else {
                throw APIProblem.invalidRequest("If-Match is an entity tag or *.", parameter: "If-Match")
            }
            return value
        }
    }

    // MARK: Answers

    func json(_ value: JSONValue, status: HTTPStatus = .ok, entityTag: Bool = false, location: String? = nil) -> Response {
        var response = Response(status: status, headers: ["Content-Type": MediaType.json], body: AdminRepresentation.encoded(value))
        if entityTag { response.headers.set("ETag", AdminRepresentation.entityTag(value)) }
        if let location { response.headers.set("Location", location) }
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    func list<Item>(_ page: Page<Item>, _ represent: (Item) -> JSONValue) -> Response {
        json(.object([
            "items": .array(page.items.map(represent)),
            "next_cursor": page.nextAfter.map { .string(PageCursor.encode($0)) } ?? .null,
        ]))
    }

    func noContent() -> Response {
        var response = Response(status: .noContent)
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
