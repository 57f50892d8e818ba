/// An error a handler throws to end a request with a given status.
///
/// It renders itself: RFC 9457 problem+json for API clients (the path starts with `/api/` or
/// `Accept` prefers JSON) and a small escaped HTML page for browsers. Both carry the request id,
/// so a user's screenshot or an API client's log can be matched to our log line.
///
/// `detail` is shown to the client. Never put secrets, tokens or internal error text in it;
/// log those instead. The code is extensible, so callers compare codes rather than statuses.
public struct HTTPError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine-readable name for the kind of failure. New codes never break callers.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let badRequest = Code(rawValue: "bad_request")
        public static let unauthorized = Code(rawValue: "unauthorized")
        public static let forbidden = Code(rawValue: "forbidden")
        public static let notFound = Code(rawValue: "not_found")
        public static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        public static let conflict = Code(rawValue: "conflict")
        public static let payloadTooLarge = Code(rawValue: "payload_too_large")
        public static let unsupportedMediaType = Code(rawValue: "unsupported_media_type")
        public static let unprocessableContent = Code(rawValue: "unprocessable_content")
        public static let tooManyRequests = Code(rawValue: "too_many_requests")
        public static let internalServerError = Code(rawValue: "internal_server_error")
        public static let serviceUnavailable = Code(rawValue: "service_unavailable")
    }

    public var code: Code
    public var status: HTTPStatus
    /// A short human-readable summary; by default the reason phrase.
    public var title: String
    /// An explanation specific to this occurrence, shown to the client.
    public var detail: String?
    /// A problem-type URI for problem+json; `about:blank` means the status says it all.
    public var type: String
    /// Headers the response must carry, such as `Allow` for 405 or `Retry-After` for 429.
    public var headers: HTTPHeaders

    public init(
        code: Code,
        status: HTTPStatus,
        title: String? = nil,
        detail: String? = nil,
        type: String = "about:blank",
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.code = code
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.type = type
        self.headers = headers
    }

    public var description: String {
        "HTTPError(\(code), \(status.code)\(detail.map { ": \($0)" } ?? ""))"
    }

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.code == rhs.code && lhs.status == rhs.status && lhs.title == rhs.title
            && lhs.detail == rhs.detail && lhs.type == rhs.type && lhs.headers.fields == rhs.headers.fields
    }

    /// The same error with a different detail, for the parameterless factories:
    /// `throw HTTPError.notFound.with(detail: "No such client.")`.
    public func with(detail: String?) -> HTTPError {
        var copy = self
        copy.detail = detail
        return copy
    }

    // MARK: Factories

    public static func badRequest(_ detail: String? = nil) -> HTTPError {
        HTTPError(code: .badRequest, status: .badRequest, detail: detail)
    }

    /// The error for a status the server answers by itself (a request it could not parse, a body
    /// too large or too slow): the code of that status where one is named here, otherwise its
    /// reason phrase in the codes' form (`Request Timeout` is `request_timeout`).
    public static func refusal(_ status: HTTPStatus, detail: String?) -> HTTPError {
        let named: [Int: Code] = [400: .badRequest, 413: .payloadTooLarge, 503: .serviceUnavailable]
        let code = named[status.code] ?? Code(rawValue: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"))
        return HTTPError(code: code, status: status, detail: detail)
    }

    public static let unauthorized = HTTPError(code: .unauthorized, status: .unauthorized)
    public static let forbidden = HTTPError(code: .forbidden, status: .forbidden)
    public static let notFound = HTTPError(code: .notFound, status: .notFound)

    /// 405 with the `Allow` header RFC 9110 section 15.5.6 requires.
    public static func methodNotAllowed(allow: [String]) -> HTTPError {
        HTTPError(
            code: .methodNotAllowed, status: .methodNotAllowed,
            headers: ["Allow": allow.joined(separator: ", ")]
        )
    }

    public static func conflict(_ detail: String? = nil) -> HTTPError {
        HTTPError(code: .conflict, status: .conflict, detail: detail)
    }

    public static let payloadTooLarge = HTTPError(code: .payloadTooLarge, status: .payloadTooLarge)
    public static let unsupportedMediaType = HTTPError(code: .unsupportedMediaType, status: .unsupportedMediaType)

    public static func unprocessableContent(_ detail: String? = nil) -> HTTPError {
        HTTPError(code: .unprocessableContent, status: .unprocessableContent, detail: detail)
    }

    /// 429, with `Retry-After` in whole seconds when known (never negative).
    public static func tooManyRequests(retryAfter seconds: Int? = nil) -> HTTPError {
        var headers = HTTPHeaders()
        if let seconds { headers.add("Retry-After", String(max(0, seconds))) }
        return HTTPError(code: .tooManyRequests, status: .tooManyRequests, headers: headers)
    }

    /// A 500 that says nothing about the cause; the caller logs the real error.
    public static let internalServerError = HTTPError(code: .internalServerError, status: .internalServerError)

    public static func serviceUnavailable(retryAfter seconds: Int? = nil) -> HTTPError {
        var headers = HTTPHeaders()
        if let seconds { headers.add("Retry-After", String(max(0, seconds))) }
        return HTTPError(code: .serviceUnavailable, status: .serviceUnavailable, headers: headers)
    }

    // MARK: Rendering

    public func response(for request: Request) -> Response {
        var response: Response
        if Self.wantsProblemJSON(request) {
            response = .problem(problemDetails(for: request))
        } else {
            response = .html(htmlPage(for: request), status: status)
        }
        for field in headers { response.headers.set(field.name, field.value) }
        // An error describes this one request; a shared cache must not replay it.
        response.headers.setIfAbsent("Cache-Control", "no-store")
        return response
    }

    /// problem+json for API paths and for clients that weigh JSON above HTML.
    static func wantsProblemJSON(_ request: Request) -> Bool {
        isAPIPath(request.path) || AcceptPreference.prefersJSON(request.headers)
    }

    /// The paths whose clients are programs, answered in problem+json whatever they accept: by
    /// handlers, and by the server itself for a request it refuses before any handler.
    static func isAPIPath(_ path: some StringProtocol) -> Bool {
        path.hasPrefix("/api/")
    }

    public func problemDetails(for request: Request) -> ProblemDetails {
        var extensions: [String: JSONValue] = ["code": .string(code.rawValue)]
        if !request.requestID.isEmpty { extensions["request_id"] = .string(request.requestID) }
        return ProblemDetails(type: type, title: title, status: status, detail: detail, extensions: extensions)
    }

    /// A plain page: every dynamic part escaped, no inline script or style (the CSP forbids
    /// them), styling only through the shared stylesheet.
    func htmlPage(for request: Request) -> String {
        let heading = HTMLEscaping.escape(title)
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(status.code) \(heading)</title>
            <link rel="stylesheet" href="/static/app.css">
            </head>
            <body>
            <main class="error-page">
            <h1>\(heading)</h1>

            """
        if let detail {
            page += "<p class=\"error-detail\">\(HTMLEscaping.escape(detail))</p>\n"
        }
        page += "<p class=\"error-status\">Error \(status.code)</p>\n"
        if !request.requestID.isEmpty {
            page += "<p class=\"request-id\">Request ID: <code>\(HTMLEscaping.escape(request.requestID))</code></p>\n"
        }
        page += "</main>\n</body>\n</html>\n"
        return page
    }
}
