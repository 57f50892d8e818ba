/// Turns one request into one response. Throw an `HTTPResponseError` (such as `HTTPError`)
/// to answer with that error's response; any other error becomes a bare 500.
public typealias Handler = @Sendable (Request) throws -> Response

/// What the router decided for a request.
public enum RouteResult: Sendable {
    /// A route matched; the request carries `pathParameters` and `routePattern`.
    case matched(Handler, Request)
    /// The path matched routes, but none for this method. `allow` lists the methods that would
    /// have matched, for the `Allow` header of the 405.
    case methodNotAllowed(allow: [String])
    /// No route has this path.
    case notFound
    /// The path itself is malformed (a bad percent-escape, or one decoding to invalid UTF-8).
    case badRequest(HTTPError)
}
