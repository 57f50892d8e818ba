/// The decisions behind gzip-compressing a response, kept apart so static files can reuse
/// them with a cached compressed body.
public enum CompressionPolicy {
    /// Whether the client's `Accept-Encoding` allows gzip (RFC 9110 section 12.5.3).
    ///
    /// An explicit `gzip` (or legacy `x-gzip`) weight decides; otherwise `*` does; a missing
    /// header means identity only, since old clients that send nothing may not inflate.
    /// `gzip;q=0` is a refusal. When the client weighs `identity` above gzip, it gets identity.
    public static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        let values = headers.values(of: "Accept-Encoding")
        guard !values.isEmpty else { return false }
        let items = QualityValues.parse(values)
        let gzip = items.first { $0.value == "gzip" || $0.value == "x-gzip" }?.quality
            ?? items.first { $0.value == "*" }?.quality
            ?? 0
        guard gzip > 0 else { return false }
        if let identity = items.first(where: { $0.value == "identity" })?.quality, identity > gzip { return false }
        return true
    }

    /// Whether a Content-Type is worth compressing: text and structured text formats. Images
    /// other than SVG, fonts and archives are already compressed, and recompressing wastes CPU.
    public static func isCompressible(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = (contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingASCIIWhitespace().lowercased()
        if mediaType.hasPrefix("text/") { return true }
        if mediaType.hasSuffix("+json") || mediaType.hasSuffix("+xml") { return true }
        return compressibleTypes.contains(mediaType)
    }

    static let compressibleTypes: Set<String> = [
        "application/json", "application/javascript", "application/x-javascript", "application/xml",
        "application/wasm", "application/manifest+json", "image/svg+xml", "image/x-icon",
        "image/vnd.microsoft.icon",
    ]

    /// Whether the status is one whose body is the resource's representation; 204 and 304 have
    /// none, and 206 is a byte range of the uncompressed form.
    static func isCompressibleStatus(_ status: HTTPStatus) -> Bool {
        (200..<300).contains(status.code) && status.code != 204 && status.code != 206
    }

    /// Adds `Accept-Encoding` to `Vary`, unless it is there already or `Vary` is `*`.
    static func addVaryAcceptEncoding(to headers: inout HTTPHeaders) {
        let existing = headers.values(of: "Vary")
        let tokens = existing.flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace().lowercased() }
        if tokens.contains("*") || tokens.contains("accept-encoding") { return }
        if existing.isEmpty {
            headers.set("Vary", "Accept-Encoding")
        } else {
            headers.set("Vary", (existing + ["Accept-Encoding"]).joined(separator: ", "))
        }
    }

    /// The ETag of the gzip form: a strong tag names exact bytes, so it must change with the
    /// encoding (`"abc"` becomes `"abc-gzip"`); a weak tag already allows that and stays.
    static func gzipETag(_ etag: String) -> String {
        guard etag.hasPrefix("\""), etag.hasSuffix("\""), etag.utf8.count >= 2 else { return etag }
        return String(etag.dropLast()) + "-gzip\""
    }
}

/// gzip-compresses `response` in place when all of these hold:
/// the client accepts gzip, the response has no Content-Encoding yet, the status carries a
/// representation, the Content-Type is compressible, and the body has at least `minimumBytes`
/// (below about a kilobyte the gzip header and the CPU cost outweigh the saving).
///
/// Every compressible response gets `Vary: Accept-Encoding`, compressed or not, so a shared
/// cache never serves the gzip form to a client that did not ask for it (or the reverse).
/// If compressing does not make the body smaller, the original is kept.
public func applyCompression(to response: inout Response, for request: Request, minimumBytes: Int = 1024) {
    guard !response.headers.contains("Content-Encoding"),
          CompressionPolicy.isCompressibleStatus(response.status),
          !response.body.isEmpty,
          CompressionPolicy.isCompressible(contentType: response.headers["Content-Type"])
    else { return }
    CompressionPolicy.addVaryAcceptEncoding(to: &response.headers)
    guard response.body.count >= minimumBytes, CompressionPolicy.acceptsGzip(request.headers),
          let compressed = try? Gzip.compress(response.body), compressed.count < response.body.count
    else { return }
    response.body = compressed
    response.headers.set("Content-Encoding", "gzip")
    if let etag = response.headers["ETag"] {
        response.headers.set("ETag", CompressionPolicy.gzipETag(etag))
    }
}
