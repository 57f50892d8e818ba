/// A request to an OpenID Provider's back channel: discovery, JWKS, token or userinfo endpoint.
public struct BackChannelRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    /// An absolute `http` or `https` URL. It is parsed once, by curl's own URL parser, and that same
    /// parse is both checked against the plain-HTTP policy and used for the connection.
    public var url: String
    /// Sent as given, in order. curl adds `Host`, `User-Agent`, `Accept: */*` and, for POST,
    /// `Content-Length` and `Content-Type: application/x-www-form-urlencoded` unless named here.
    public var headers: [BackChannelHeader]
    /// Sent as the POST body; must be empty for GET.
    public var body: [UInt8]
    /// At most this long for the whole request, connection included, when shorter than the
    /// client's `totalTimeoutMilliseconds` (a caller's share of a larger budget). Values below
    /// 1 count as 1: curl reads 0 as no limit.
    public var timeoutMilliseconds: Int?

    public init(method: Method = .get, url: String, headers: [BackChannelHeader] = [], body: [UInt8] = [], timeoutMilliseconds: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}
