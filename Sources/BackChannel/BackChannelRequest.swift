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

    public init(method: Method = .get, url: String, headers: [BackChannelHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
