/// What the provider answered. Any status (including 3xx and 4xx) is a response, not an error:
/// the caller decides what a status means, and redirects are never followed.
public struct BackChannelResponse: Sendable {
    public let status: Int
    /// The final response's header fields, names lower-cased (ASCII), in arrival order. Interim
    /// (1xx) responses and chunked trailers are not included.
    public let headers: [BackChannelHeader]
    public let body: [UInt8]

    public init(status: Int, headers: [BackChannelHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the named header, compared case-insensitively, or nil.
    public func header(_ name: String) -> String? {
        let wanted = ASCIICase.lowercased(name)
        return headers.first { $0.name == wanted }?.value
    }
}
