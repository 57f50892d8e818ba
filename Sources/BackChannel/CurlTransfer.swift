import CCurl

/// One request on one checked-out handle: every option set from scratch, then the transfer.
///
/// The handle was reset when it was last returned, so nothing from an earlier request (method,
/// body, headers, callbacks) can leak into this one.
struct CurlTransfer {
    let handle: CurlHandle
    let settings: BackChannelSettings
    let caBundle: CABundle?

    func run(_ request: BackChannelRequest, url: CurlURL) throws(BackChannelError) -> BackChannelResponse {
        let headers = try RequestHeaders(request.headers)
        let collector = ResponseCollector(maxBodyBytes: settings.maxResponseBytes)
        try applyConnectionPolicy(url: url, timeoutMilliseconds: request.timeoutMilliseconds)
        try applyRequest(request, headers: headers)
        try applyCallbacks(collector: collector)
        let code = try withExtendedLifetime((url, headers, collector)) { () throws(BackChannelError) -> CURLcode in
            try handle.perform()
        }
        guard code == CURLE_OK else {
            throw CurlResultMapping.error(
                for: code, overflow: collector.overflow, host: url.host, message: handle.message(for: code))
        }
        return BackChannelResponse(status: handle.responseCode(), headers: collector.headers, body: collector.body)
    }

    /// Where and how curl may connect: fixed rules first, then this client's settings.
    private func applyConnectionPolicy(url: CurlURL, timeoutMilliseconds: Int?) throws(BackChannelError) {
        // Signals are process-wide; a library must not install handlers or be woken by SIGALRM.
        try handle.set(CURLOPT_NOSIGNAL, 1)
        // A transfer that times out while the name is still being resolved leaves the resolver's
        // thread to finish on its own. Without this, curl waited for it: a resolver that does
        // not answer held the transfer for its own timeout (30 s here) long after ours (5 s).
        try handle.set(CURLOPT_QUICK_EXIT, 1)
        // The URL handle the policy already checked, so curl cannot parse the text differently.
        try handle.set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(url.handle))
        try handle.set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        try handle.set(CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
        // A redirect on the back channel could send the client secret elsewhere: the caller sees the 3xx.
        try handle.set(CURLOPT_FOLLOWLOCATION, 0)
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        try handle.set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
        if let caBundle {
            var blob = curl_blob(
                data: caBundle.bytes.baseAddress, len: caBundle.bytes.count, flags: UInt32(CURL_BLOB_NOCOPY))
            // curl copies the struct; NOCOPY keeps pointing at the bundle, which outlives every transfer.
            try withUnsafeMutablePointer(to: &blob) { (pointer) throws(BackChannelError) in
                try handle.set(CURLOPT_CAINFO_BLOB, pointer: UnsafeMutableRawPointer(pointer))
            }
        }
        let total = min(settings.totalTimeoutMilliseconds, max(1, timeoutMilliseconds ?? .max))
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, min(settings.connectTimeoutMilliseconds, total))
        try handle.set(CURLOPT_TIMEOUT_MS, total)
        // Refuses at once a response whose Content-Length announces more than the cap.
        try handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(settings.maxResponseBytes))
        try handle.set(CURLOPT_USERAGENT, string: settings.userAgent)
    }

    private func applyRequest(_ request: BackChannelRequest, headers: RequestHeaders) throws(BackChannelError) {
        switch request.method {
        case .get:
            guard request.body.isEmpty else {
                throw BackChannelError(.invalidRequest, "a GET request must not have a body")
            }
            try handle.set(CURLOPT_HTTPGET, 1)
        case .post:
            try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count))
            // Never a NULL pointer: curl would then read the body from stdin. One spare byte keeps
            // an empty body's pointer valid; the size set above says how much curl copies and sends.
            let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: request.body.count + 1, alignment: 1)
            defer { payload.deallocate() }
            payload.initializeMemory(as: UInt8.self, repeating: 0)
            payload.copyBytes(from: request.body)
            try handle.set(CURLOPT_COPYPOSTFIELDS, pointer: payload.baseAddress)
        }
        try handle.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headers.list))
    }

    private func applyCallbacks(collector: ResponseCollector) throws(BackChannelError) {
        let context = Unmanaged.passUnretained(collector).toOpaque()
        try handle.set(CURLOPT_WRITEDATA, pointer: context)
        try handle.set(CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
            let (length, overflowed) = size.multipliedReportingOverflow(by: count)
            guard !overflowed else { return 0 }
            return collector.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        try handle.set(CURLOPT_HEADERDATA, pointer: context)
        try handle.set(CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
            let (length, overflowed) = size.multipliedReportingOverflow(by: count)
            guard !overflowed else { return 0 }
            return collector.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
    }
}
