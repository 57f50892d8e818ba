import CCurl

/// libcurl's process-wide set-up, done exactly once.
///
/// `curl_global_init` must run before any other curl call and must not race with itself; a global
/// `let` is initialised lazily under a once-lock, which gives both.
enum CurlGlobal {
    /// True when curl initialised; the client refuses to start otherwise.
    static let isReady: Bool = curl_global_init(gatehouse_curl_global_default()) == CURLE_OK

    /// curl's name for a result code, for log details.
    static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(cString: text)
    }
}
