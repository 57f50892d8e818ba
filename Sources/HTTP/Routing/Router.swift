/// Collects routes at start-up; `Router(builder)` freezes them.
///
///     let router = Router { routes in
///         routes.get("/healthz") { _ in .text("ok") }
///         routes.get("/users/:id") { request in ... }
///         routes.get("/static/*path", handler: staticFiles.respond)
///     }
public struct RouterBuilder: Sendable {
    var root = RouteNode()
    /// Every registered (method, pattern), in registration order.
    var registered: [(method: String, pattern: String)] = []
    /// Routes made of literal segments only, by their exact path, then method (see `Router.route`).
    var literalRoutes: [Substring: [String: RouteEntry]] = [:]

    public init() {}

    /// Registers `handler` for `method` on `pattern`, to run on the executor `executor` picks
    /// (inline when it picks none). Registering the same method on the same path shape twice is
    /// a programming error and stops the program.
    public mutating func add(
        method: String, pattern: String, executor: ExecutorChoice? = nil, attempt: InlineAttempt? = nil, handler: @escaping Handler
    ) {
        precondition(
            !method.isEmpty && HTTPSyntax.isToken(method[...]),
            "route method \(method) is not a token"
        )
        let parsed = RoutePattern(pattern)
        registered.append((method, parsed.text))
        let entry = RouteEntry(
            handler: handler, pattern: parsed.text, parameterNames: parsed.parameterNames, executor: executor, attempt: attempt
        )
        Self.insert(entry, method: method, segments: parsed.segments[...], into: &root)
        let allLiteral = parsed.segments.allSatisfy { if case .literal = $0 { true } else { false } }
        if allLiteral { literalRoutes[parsed.text[...], default: [:]][method] = entry }
    }

    public mutating func get(_ pattern: String, handler: @escaping Handler) { add(method: "GET", pattern: pattern, handler: handler) }
    public mutating func post(_ pattern: String, handler: @escaping Handler) { add(method: "POST", pattern: pattern, handler: handler) }
    /// A GET whose handler may block: it runs on `executor`'s threads, never on the shared pool.
    public mutating func get(_ pattern: String, on executor: @escaping ExecutorChoice, handler: @escaping Handler) {
        add(method: "GET", pattern: pattern, executor: executor, handler: handler)
    }
    /// A POST whose handler may block: it runs on `executor`'s threads, never on the shared pool.
    public mutating func post(_ pattern: String, on executor: @escaping ExecutorChoice, handler: @escaping Handler) {
        add(method: "POST", pattern: pattern, executor: executor, handler: handler)
    }
    /// A GET answered inline when `attempt` can answer without blocking (nil when it cannot),
    /// and otherwise by `handler` on `executor`'s threads: a request that usually needs no wait
    /// (a cached document, a free database writer) is spared two thread hops.
    public mutating func get(
        _ pattern: String, on executor: @escaping ExecutorChoice, tryingInline attempt: @escaping InlineAttempt,
        handler: @escaping Handler
    ) {
        add(method: "GET", pattern: pattern, executor: executor, attempt: attempt, handler: handler)
    }
    /// A POST answered inline when `attempt` can answer without blocking, like the GET above.
    public mutating func post(
        _ pattern: String, on executor: @escaping ExecutorChoice, tryingInline attempt: @escaping InlineAttempt,
        handler: @escaping Handler
    ) {
        add(method: "POST", pattern: pattern, executor: executor, attempt: attempt, handler: handler)
    }
    public mutating func put(_ pattern: String, handler: @escaping Handler) { add(method: "PUT", pattern: pattern, handler: handler) }
    public mutating func patch(_ pattern: String, handler: @escaping Handler) { add(method: "PATCH", pattern: pattern, handler: handler) }
    public mutating func delete(_ pattern: String, handler: @escaping Handler) { add(method: "DELETE", pattern: pattern, handler: handler) }
    public mutating func head(_ pattern: String, handler: @escaping Handler) { add(method: "HEAD", pattern: pattern, handler: handler) }
    public mutating func options(_ pattern: String, handler: @escaping Handler) { add(method: "OPTIONS", pattern: pattern, handler: handler) }

    private static func insert(
        _ entry: RouteEntry, method: String, segments: ArraySlice<RoutePattern.Segment>, into node: inout RouteNode
    ) {
        guard let first = segments.first else {
            precondition(node.handlers[method] == nil, "route \(method) \(entry.pattern) is registered twice")
            node.handlers[method] = entry
            return
        }
        let rest = segments.dropFirst()
        switch first {
        case .literal(let text):
            insert(entry, method: method, segments: rest, into: &node.literals[text, default: RouteNode()])
        case .parameter:
            if node.parameterStorage.isEmpty { node.parameterStorage.append(RouteNode()) }
            insert(entry, method: method, segments: rest, into: &node.parameterStorage[0])
        case .wildcard:
            precondition(node.wildcard[method] == nil, "route \(method) \(entry.pattern) is registered twice")
            node.wildcard[method] = entry
        }
    }
}

/// One registered handler with what the router needs to fill in the request.
struct RouteEntry: Sendable {
    let handler: Handler
    let pattern: String
    /// Names of `:name` and `*name` segments, in path order, matching the captured values.
    let parameterNames: [String]
    let executor: ExecutorChoice?
    let attempt: InlineAttempt?
}

/// A node of the routing tree, keyed by decoded path segment. Lookup is a dictionary probe
/// per segment, with no regular expressions and no allocation beyond the captured values.
struct RouteNode: Sendable {
    var literals: [String: RouteNode] = [:]
    /// Zero or one child for a `:name` segment (an array, because a struct cannot hold an
    /// optional of itself directly).
    var parameterStorage: [RouteNode] = []
    /// Handlers of a `*name` wildcard at this position, by method.
    var wildcard: [String: RouteEntry] = [:]
    /// Handlers of routes that end at this node, by method.
    var handlers: [String: RouteEntry] = [:]
}

/// Matches requests to handlers. Built once, immutable afterwards, so it is shared by every
/// connection without locks.
///
/// Precedence at each segment: a literal beats a parameter beats a wildcard. If the preferred
/// branch fails further down, the next one is tried, so `/users/new` (literal) and
/// `/users/:id/edit` (parameter) both work. The first route in that order that has a handler
/// for the method wins; if routes match the path but none has the method, the answer is 405
/// with the union of their methods. HEAD is served by a GET handler when no HEAD handler exists
/// (the connection drops the body).
///
/// Segments are percent-decoded one by one after splitting on `/`, so `%2F` stays inside its
/// segment and never becomes a separator. Dot segments are not collapsed: `..` is data here,
/// and handlers that touch the file system (see `StaticFiles`) refuse it.
public final class Router: Sendable {
    let root: RouteNode
    let literalRoutes: [Substring: [String: RouteEntry]]
    /// Every route it serves, as (method, pattern) in registration order: what a document that
    /// describes the routes (the admin API's OpenAPI) is checked against.
    public let routes: [(method: String, pattern: String)]

    public init(_ builder: RouterBuilder) {
        root = builder.root
        literalRoutes = builder.literalRoutes
        routes = builder.registered
    }

    public convenience init(build: (inout RouterBuilder) -> Void) {
        var builder = RouterBuilder()
        build(&builder)
        self.init(builder)
    }

    public func route(_ request: Request) -> RouteResult {
        // A path with no percent-encoding that is exactly a literal route's path: the tree
        // walk would find the same entry (literals win at every segment), so one dictionary
        // probe does. This is most requests, forward-auth's `/auth/verify` among them.
        if let handlers = literalRoutes[request.path], let entry = Self.entry(in: handlers, for: request.method),
           !request.path.utf8.contains(UInt8(ascii: "%")) {
            var routed = request
            routed.routePattern = entry.pattern
            return .matched(entry.handler, routed, executor: entry.executor?(routed), attempt: entry.attempt)
        }
        guard let rawSegments = RoutePattern.split(request.path) else { return .notFound }
        var segments: [String] = []
        segments.reserveCapacity(rawSegments.count)
        for raw in rawSegments {
            let segment: String
            do {
                segment = try PercentDecoding.decode(raw)
            } catch {
                return .badRequest(HTTPError.badRequest("The request path has a malformed percent-encoding."))
            }
            // A proxy that normalises paths before choosing where to send them (nginx resolves
            // `..` after decoding `%2F`) and then passes the raw path on would route
            // `/api/v1/admin/x/..%2F..%2F..%2F..%2Flogin` to us as a login page while we read an
            // admin path: one path, two meanings. Such a path is refused rather than guessed at
            // (review finding).
            if segment == "." || segment == ".." || segment.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }) {
                return .badRequest(HTTPError.badRequest("The request path has a dot segment or an encoded slash."))
            }
            segments.append(segment)
        }

        var captures: [String] = []
        var allowed: Set<String> = []
        guard let (entry, values) = Self.match(
            segments[...], in: root, method: request.method, captures: &captures, allowed: &allowed
        ) else {
            return allowed.isEmpty ? .notFound : .methodNotAllowed(allow: Self.allowList(allowed))
        }
        var routed = request
        routed.routePattern = entry.pattern
        if !entry.parameterNames.isEmpty {
            var parameters: [String: String] = [:]
            for (name, value) in zip(entry.parameterNames, values) { parameters[name] = value }
            routed.pathParameters = parameters
        }
        return .matched(entry.handler, routed, executor: entry.executor?(routed), attempt: entry.attempt)
    }

    /// Routes and runs the handler on the calling thread, turning every outcome into a response.
    ///
    /// A thrown `HTTPResponseError` becomes its own response. Any other error becomes a 500
    /// that says nothing about the cause; `report` receives the error so the caller can log it.
    public func respond(
        to request: Request,
        reportingUnexpectedErrorsTo report: @escaping @Sendable (any Error, Request) -> Void = { _, _ in }
    ) -> Response {
        switch answer(request, reportingUnexpectedErrorsTo: report) {
        case .now(let response): response
        case .deferred(_, let work, _): work()
        }
    }

    /// Routes the request: a route with an executor is answered by deferred work on it (and,
    /// when its queue is full, by a 503 with `Retry-After: 1`), any other at once.
    public func answer(
        _ request: Request,
        reportingUnexpectedErrorsTo report: @escaping @Sendable (any Error, Request) -> Void = { _, _ in }
    ) -> Answer {
        switch route(request) {
        case .matched(let handler, let routed, let executor, let attempt):
            guard let executor else { return .now(Self.run(handler, routed, report: report)) }
            if let attempt, let response = Self.runAttempt(attempt, routed, report: report) { return .now(response) }
            return .deferred(
                executor: executor,
                work: { Self.run(handler, routed, report: report) },
                overloaded: { Self.overloaded(routed) }
            )
        case .methodNotAllowed(let allow):
            return .now(HTTPError.methodNotAllowed(allow: allow).response(for: request))
        case .notFound:
            return .now(HTTPError.notFound.response(for: request))
        case .badRequest(let error):
            return .now(error.response(for: request))
        }
    }

    private static func run(_ handler: Handler, _ routed: Request, report: (any Error, Request) -> Void) -> Response {
        // A handler always answers, so the attempt's nil never comes.
        runAttempt({ try handler($0) }, routed, report: report) ?? HTTPError.internalServerError.response(for: routed)
    }

    /// Runs a handler that may decline (nil); a thrown error is an answer, as for any handler.
    private static func runAttempt(_ handler: InlineAttempt, _ routed: Request, report: (any Error, Request) -> Void) -> Response? {
        var response: Response
        do {
            guard let made = try handler(routed) else { return nil }
            response = made
        } catch let error as any HTTPResponseError {
            response = error.response(for: routed)
        } catch {
            report(error, routed)
            response = HTTPError.internalServerError.response(for: routed)
        }
        response.routePattern = routed.routePattern
        return response
    }

    /// The answer when the route's executor has no room: soon, and saying when to come back.
    static func overloaded(_ routed: Request) -> Response {
        var response = HTTPError.serviceUnavailable(retryAfter: 1).response(for: routed)
        response.routePattern = routed.routePattern
        return response
    }

    private static func match(
        _ segments: ArraySlice<String>,
        in node: RouteNode,
        method: String,
        captures: inout [String],
        allowed: inout Set<String>
    ) -> (RouteEntry, [String])? {
        guard let segment = segments.first else {
            if let entry = entry(in: node.handlers, for: method) { return (entry, captures) }
            allowed.formUnion(node.handlers.keys)
            return nil
        }
        let rest = segments.dropFirst()
        if let child = node.literals[segment],
           let found = match(rest, in: child, method: method, captures: &captures, allowed: &allowed) {
            return found
        }
        if let child = node.parameterStorage.first, !segment.isEmpty {
            captures.append(segment)
            if let found = match(rest, in: child, method: method, captures: &captures, allowed: &allowed) {
                return found
            }
            captures.removeLast()
        }
        if !node.wildcard.isEmpty {
            if let entry = entry(in: node.wildcard, for: method) {
                return (entry, captures + [segments.joined(separator: "/")])
            }
            allowed.formUnion(node.wildcard.keys)
        }
        return nil
    }

    private static func entry(in handlers: [String: RouteEntry], for method: String) -> RouteEntry? {
        if let entry = handlers[method] { return entry }
        if method == "HEAD" { return handlers["GET"] }
        return nil
    }

    /// The methods for `Allow`, HEAD added wherever GET is, in a fixed readable order.
    static func allowList(_ methods: Set<String>) -> [String] {
        var methods = methods
        if methods.contains("GET") { methods.insert("HEAD") }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return order.filter(methods.contains) + methods.subtracting(order).sorted()
    }
}

/// A router answers requests by itself (unexpected errors become bare 500s, reported nowhere):
/// what tests and small servers need. Gatehouse wraps it to log errors and render pages.
extension Router: Responder {
    public func respond(to request: Request) -> Response {
        respond(to: request, reportingUnexpectedErrorsTo: { _, _ in })
    }

    public func answer(_ request: Request) -> Answer {
        answer(request, reportingUnexpectedErrorsTo: { _, _ in })
    }
}
