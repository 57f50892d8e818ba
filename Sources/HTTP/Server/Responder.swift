/// What the server calls for every complete request. It must not throw: errors are turned into
/// responses by the responder itself (the router does this for handlers).
public protocol Responder: Sendable {
    /// The response, made on the calling thread.
    func respond(to request: Request) -> Response

    /// How to answer: at once, or by work that must run on a bounded executor of its own. The
    /// server calls this; the default answers at once with `respond(to:)`.
    func answer(_ request: Request) -> Answer
}

extension Responder {
    public func answer(_ request: Request) -> Answer { .now(respond(to: request)) }
}

/// A responder's answer to one request.
public enum Answer: Sendable {
    /// The response, ready.
    case now(Response)
    /// `work` makes the response on `executor`'s threads, which alone may block; the connection
    /// waits for it without holding a thread. When the executor's queue is full, the server
    /// answers `overloaded()` at once instead (a 503 with `Retry-After`).
    case deferred(executor: BoundedExecutor, work: @Sendable () -> Response, overloaded: @Sendable () -> Response)
}
