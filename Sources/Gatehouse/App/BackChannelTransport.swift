import BackChannel
import OIDC

/// The OIDC layer's transport, on libcurl: what `ProviderConnection` sends goes out through
/// one provider's `BackChannelClient` (its CA bundle, the loopback-only http rule, the
/// timeouts and the response size bound).
struct BackChannelTransport: ProviderTransport {
    let client: BackChannelClient

    /// A client for one provider: its CA bundle, and plain http for loopback hosts only.
    init(for settings: OIDCProviderSettings) throws(BackChannelError) {
        var backChannel = BackChannelSettings()
        backChannel.extraCABundlePath = settings.caBundlePath
        backChannel.plainHTTP = .loopbackOnly
        client = try BackChannelClient(settings: backChannel)
    }

    func send(_ request: ProviderRequest) throws(ProviderTransportError) -> ProviderResponse {
        let method: BackChannelRequest.Method = switch request.method {
        case .get: .get
        case .post: .post
        }
        do {
            let response = try client.send(BackChannelRequest(
                method: method, url: request.url,
                headers: request.headers.map { BackChannelHeader(name: $0.name, value: $0.value) }, body: request.body,
                timeoutMilliseconds: request.timeoutMilliseconds
            ))
            return ProviderResponse(
                status: response.status, headers: response.headers.map { ProviderHeader(name: $0.name, value: $0.value) }, body: response.body
            )
        } catch {
            throw ProviderTransportError(kind: "\(error.code)", detail: error.detail)
        }
    }
}
