/// The HTTP version of a request line. Only 1.0 and 1.1 are served; others get 505.
public struct HTTPVersion: Sendable, Equatable {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
}

/// One parsed request, as handlers see it.
///
/// The parser fills the message fields; the connection fills in who sent it
/// (`peerAddress`, and `clientAddress`/`scheme`/`host` after applying trusted-proxy rules);
/// the router fills `pathParameters`.
public struct Request: Sendable {
    public var method: String
    /// The request-target exactly as received (origin-form such as `/a/b?c=d`, or `*`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Trailer fields of a chunked body, if any.
    public var trailers: HTTPHeaders

    /// The address of the TCP peer.
    public var peerAddress: String = ""
    /// The client address after believing `X-Forwarded-For` from trusted proxies only.
    public var clientAddress: String = ""
    /// `http` or `https`, after believing `X-Forwarded-Proto` from trusted proxies only.
    public var scheme: String = "http"
    /// The host the client asked for, after believing `X-Forwarded-Host` from trusted proxies only.
    public var host: String = ""
    /// A short id unique to this request, for logs and error pages.
    public var requestID: String = ""
    /// Values captured by `:name` segments of the matched route.
    public var pathParameters: [String: String] = [:]
    /// The route pattern that matched (such as `/users/:id`), for metrics without cardinality blow-up.
    public var routePattern: String? = nil

    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        trailers: HTTPHeaders = HTTPHeaders()
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// The path part of the target, still percent-encoded. For an absolute-form target
    /// (`http://host/path`, which RFC 9112 section 3.2.2 says a server must accept) it is the
    /// path after the authority, `/` when there is none (review finding: such a target was
    /// routed as a whole and every request made with one was a 404).
    public var path: Substring {
        var start = target.startIndex
        if let authority = Self.absoluteFormAuthorityRange(of: target) {
            start = authority.upperBound
            if start == target.endIndex || target[start] == "?" { return "/" }
        }
        if let mark = target[start...].utf8.firstIndex(of: UInt8(ascii: "?")) {
            return target[start..<mark]
        }
        return target[start...]
    }

    /// Where the authority of an absolute-form target (`http://` or `https://`, the scheme in
    /// any case, by the parser's own rule) lies, or nil for any other form.
    static func absoluteFormAuthorityRange(of target: String) -> Range<String.Index>? {
        var text = target
        guard let schemeLength = text.withUTF8({ RequestLine.absoluteFormAuthorityStart($0) }) else { return nil }
        let utf8 = target.utf8
        let authorityStart = utf8.index(utf8.startIndex, offsetBy: schemeLength)
        let authorityEnd = utf8[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? utf8.endIndex
        return authorityStart..<authorityEnd
    }

    /// The query part of the target without the `?`, or nil when there is none.
    public var rawQuery: Substring? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: mark)...]
    }

    /// Whether the client wants the connection kept open after this request,
    /// per RFC 9112 section 9.3: 1.1 defaults to persistent, 1.0 needs `keep-alive`.
    public var wantsKeepAlive: Bool {
        let tokens = headers.values(of: "Connection").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingASCIIWhitespace().lowercased() }
        if tokens.contains("close") { return false }
        if version == .http1_1 { return true }
        return tokens.contains("keep-alive")
    }
}

extension Substring {
    /// Trims spaces and horizontal tabs (OWS in RFC 9110) from both ends.
    public func trimmingASCIIWhitespace() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}

extension String {
    public func trimmingASCIIWhitespace() -> Substring { self[...].trimmingASCIIWhitespace() }
}
