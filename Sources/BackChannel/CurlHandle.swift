import CCurl

/// One curl easy handle, owned and freed here, with typed setters over the variadic C API.
///
/// An easy handle is not thread-safe, but it may move between threads. `HandlePool` hands each
/// handle to one caller at a time, which is what makes the `@unchecked Sendable` true.
final class CurlHandle: @unchecked Sendable {
    private let easy: UnsafeMutableRawPointer
    /// curl writes its detailed message for the last failure here (`CURLOPT_ERRORBUFFER`).
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(BackChannelError) {
        guard let easy = curl_easy_init() else {
            throw BackChannelError(.transportFailure, "curl_easy_init failed")
        }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Forgets every option of the last request, keeping the connection, DNS and TLS session caches.
    func reset() {
        curl_easy_reset(easy)
    }

    func set(_ option: CURLoption, _ value: Int) throws(BackChannelError) {
        try check(gatehouse_curl_setopt_long(easy, option, value), option)
    }

    /// For string options curl copies the string, so it need not outlive this call.
    func set(_ option: CURLoption, string value: String) throws(BackChannelError) {
        try check(gatehouse_curl_setopt_string(easy, option, value), option)
    }

    /// The pointee must stay valid for as long as the option's documentation says.
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(BackChannelError) {
        try check(gatehouse_curl_setopt_pointer(easy, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(BackChannelError) {
        try check(gatehouse_curl_setopt_off_t(easy, option, curl_off_t(value)), option)
    }

    func set(_ option: CURLoption, callback: curl_write_callback) throws(BackChannelError) {
        try check(gatehouse_curl_setopt_write_callback(easy, option, callback), option)
    }

    /// Sets the error buffer and runs the transfer on the calling thread until it ends.
    func perform() throws(BackChannelError) -> CURLcode {
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        return curl_easy_perform(easy)
    }

    /// curl's detailed message for the last failed transfer, or its generic text for `code`.
    func message(for code: CURLcode) -> String {
        let detailed = String(cString: errorBuffer)
        return detailed.isEmpty ? CurlGlobal.describe(code) : detailed
    }

    /// The last response's status code (0 when none arrived).
    func responseCode() -> Int {
        var code = 0
        guard gatehouse_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK else { return 0 }
        return code
    }

    private func check(_ result: CURLcode, _ option: CURLoption) throws(BackChannelError) {
        guard result == CURLE_OK else {
            throw BackChannelError(.transportFailure, "setting curl option \(option.rawValue) failed: \(CurlGlobal.describe(result))")
        }
    }
}
