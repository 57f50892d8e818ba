/// Turns one request into one response. Throw an `HTTPResponseError` (such as `HTTPError`)
/// to answer with that error's response; any other error becomes a bare 500.
public typealias Handler = @Sendable (Request) throws -> Response

/// Picks the bounded executor a route's handler runs on, from the routed request (a provider's
/// own, say, by the path's `:provider`); nil runs the handler inline.
public typealias ExecutorChoice = @Sendable (Request) -> BoundedExecutor?

/// What the router decided for a request.
public enum RouteResult: Sendable {
    /// A route matched; the request carries `pathParameters` and `routePattern`; `executor`
    /// is where its handler must run (nil: inline), unless `attempt`, tried inline first,
    /// answers.
    case matched(Handler, Request, executor: BoundedExecutor?, attempt: InlineAttempt?)
    /// The path matched routes, but none for this method. `allow` lists the methods that would
    /// have matched, for the `Allow` header of the 405.
    case methodNotAllowed(allow: [String])
    /// No route has this path.
    case notFound
    /// The path itself is malformed (a bad percent-escape, or one decoding to invalid UTF-8).
    case badRequest(HTTPError)
}

/// A route's first try, made inline on the event loop: the response when it can be made without
/// blocking, nil when it cannot (then the route's handler makes it on the route's executor).
/// It must do nothing that outlives a nil: no write, no audit entry.
public typealias InlineAttempt = @Sendable (Request) throws -> Response?
