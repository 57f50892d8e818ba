/// A response a handler returns. The connection adds `Date`, `Content-Length` and `Connection`.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The route pattern that produced this response (set by the router, never sent), so metrics
    /// count `/users/:id` rather than every distinct path a scanner tries.
    public var routePattern: String? = nil

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// An error that knows the response it should become, so a handler can simply throw it.
///
/// `request` is passed so that the error can choose HTML for a browser or problem+json for an API client.
public protocol HTTPResponseError: Error {
    func response(for request: Request) -> Response
}
