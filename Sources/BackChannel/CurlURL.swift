import CCurl

/// A URL parsed by curl's URL API (`CURLU`), owned and freed here.
///
/// The same parsed handle is given to the transfer with `CURLOPT_CURLU`, so the scheme and host
/// checked by the plain-HTTP policy are exactly the ones curl connects to: no second parser can
/// disagree about `http://127.0.0.1@evil.example/` or `http://0x7f.1/`.
final class CurlURL {
    let handle: OpaquePointer
    /// `http` or `https`, lower-cased; any other scheme is refused while parsing.
    let scheme: String
    /// The host as curl will connect to it: IPv4 normalised to a dotted quad, IPv6 in brackets.
    let host: String

    init(parsing text: String) throws(BackChannelError) {
        // A NUL would end the C string early, so curl would see a different URL than the caller wrote.
        guard !text.utf8.contains(0) else { throw BackChannelError(.invalidURL, "URL contains a NUL byte") }
        guard let handle = curl_url() else { throw BackChannelError(.transportFailure, "curl_url: out of memory") }
        // Any scheme parses, so an unsupported one is reported as refused rather than as malformed.
        let parsed = curl_url_set(handle, CURLUPART_URL, text, gatehouse_curlu_non_support_scheme())
        guard parsed == CURLUE_OK else {
            curl_url_cleanup(handle)
            throw BackChannelError(.invalidURL, "URL does not parse: \(Self.describe(parsed))")
        }
        do throws(BackChannelError) {
            if Self.part(CURLUPART_USER, of: handle) != nil || Self.part(CURLUPART_PASSWORD, of: handle) != nil {
                throw BackChannelError(.invalidURL, "URL carries credentials; send them in a header instead")
            }
            // The scheme is checked before the host, so `file:///etc/passwd` is refused for what it is.
            guard let scheme = Self.part(CURLUPART_SCHEME, of: handle) else {
                throw BackChannelError(.invalidURL, "URL has no scheme")
            }
            let lowered = ASCIICase.lowercased(scheme)
            guard lowered == "http" || lowered == "https" else {
                throw BackChannelError(.schemeRefused, "scheme \(lowered) is neither http nor https")
            }
            guard let host = Self.part(CURLUPART_HOST, of: handle), !host.isEmpty else {
                throw BackChannelError(.invalidURL, "URL has no host")
            }
            self.scheme = lowered
            self.host = host
        } catch {
            curl_url_cleanup(handle)
            throw error
        }
        self.handle = handle
    }

    deinit { curl_url_cleanup(handle) }

    /// One component, or nil when the URL has none (`CURLUE_NO_USER` and the like).
    private static func part(_ which: CURLUPart, of handle: OpaquePointer) -> String? {
        var value: UnsafeMutablePointer<CChar>? = nil
        guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }

    private static func describe(_ code: CURLUcode) -> String {
        guard let text = curl_url_strerror(code) else { return "curl URL error \(code.rawValue)" }
        return String(cString: text)
    }
}
