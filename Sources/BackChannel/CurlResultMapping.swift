import CCurl

/// Turns a failed transfer's curl code into the error the caller can act on.
enum CurlResultMapping {
    static func error(
        for code: CURLcode, overflow: ResponseCollector.Overflow?, host: String, message: String
    ) -> BackChannelError {
        let detail = "\(host): \(message)"
        switch code {
        case CURLE_WRITE_ERROR where overflow == .body, CURLE_FILESIZE_EXCEEDED:
            return BackChannelError(.responseTooLarge, "\(host): response body larger than the configured maximum")
        case CURLE_WRITE_ERROR where overflow == .headers:
            return BackChannelError(.responseTooLarge, "\(host): response headers larger than \(ResponseCollector.maxHeaderBytes) bytes")
        case CURLE_OPERATION_TIMEDOUT:
            return BackChannelError(.timedOut, detail)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return BackChannelError(.couldNotResolve, detail)
        case CURLE_COULDNT_CONNECT:
            return BackChannelError(.couldNotConnect, detail)
        case CURLE_URL_MALFORMAT:
            return BackChannelError(.invalidURL, detail)
        case CURLE_UNSUPPORTED_PROTOCOL:
            return BackChannelError(.schemeRefused, detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return BackChannelError(.tlsFailure, detail)
        default:
            return BackChannelError(.transportFailure, detail)
        }
    }
}
