/// How the OIDC layer reaches a provider over the network: one request, one response, with
/// the blocking and the bounds (timeouts, response size, TLS, the loopback-only http rule)
/// left to the implementation. The app hands in libcurl's client; tests hand in a transport
/// that answers from memory, so every rule of `ProviderConnection` (what is fetched when, what
/// is sent) is tested without a socket.
public protocol ProviderTransport: Sendable {
    /// Sends `request` and returns whatever status the provider answered; throws only when no
    /// answer came (no route, timeout, TLS failure, a response over the size bound).
    func send(_ request: ProviderRequest) throws(ProviderTransportError) -> ProviderResponse
}

/// One request to a provider. `body` and some headers carry codes and client credentials:
/// never log them.
public struct ProviderRequest: Sendable, Equatable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: String
    public var headers: [ProviderHeader]
    public var body: [UInt8]
    /// At most this long for the whole request, when shorter than the transport's own limit:
    /// what is left of the callback's time (`TransferBudget`). Nil: the transport's limit alone.
    public var timeoutMilliseconds: Int?

    public init(method: Method = .get, url: String, headers: [ProviderHeader] = [], body: [UInt8] = [], timeoutMilliseconds: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The first value of the header `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { ProviderHeader.sameName($0.name, name) }?.value
    }
}

/// A provider's answer. Header names are as the transport received them.
public struct ProviderResponse: Sendable, Equatable {
    public let status: Int
    public let headers: [ProviderHeader]
    public let body: [UInt8]

    public init(status: Int, headers: [ProviderHeader] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Every value of the header `name` (ASCII case-insensitive), in order.
    public func values(of name: String) -> [String] {
        headers.filter { ProviderHeader.sameName($0.name, name) }.map(\.value)
    }
}

public struct ProviderHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Header names compare ASCII case-insensitively (RFC 9110 section 5.1).
    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        ASCIIText.equalIgnoringCase(lhs, rhs)
    }
}

/// No answer from the provider: `kind` names the failure (`timedOut`, `couldNotConnect`...),
/// `detail` says more without any body or header value.
public struct ProviderTransportError: Error, Sendable, Equatable {
    public let kind: String
    public let detail: String

    public init(kind: String, detail: String) {
        self.kind = kind
        self.detail = detail
    }
}
