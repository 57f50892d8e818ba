/// The three parts of a request line (RFC 9112 section 3), checked and turned into Strings.
struct RequestLine: Sendable, Equatable {
    var method: String
    var target: String
    var version: HTTPVersion

    /// Parses `method SP request-target SP HTTP-version`, without its CRLF.
    ///
    /// Strict on purpose: exactly one SP between parts (no other whitespace), so that every
    /// server and proxy in front of us splits the line the same way. Checks run in this order,
    /// which decides the status when a line breaks several rules: method (400), shape (400),
    /// version (400 malformed, 505 unsupported), CONNECT (501), request-target (400).
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> RequestLine {
        let count = line.count
        var methodEnd = 0
        while methodEnd < count, ByteClass.isTokenChar(line[methodEnd]) { methodEnd += 1 }
        guard methodEnd > 0, methodEnd < count, line[methodEnd] == ByteClass.space else {
            throw .badRequest("invalid method")
        }

        let targetStart = methodEnd + 1
        var targetEnd = targetStart
        while targetEnd < count, line[targetEnd] != ByteClass.space { targetEnd += 1 }
        guard targetEnd < count else { throw .badRequest("malformed request line") }

        let methodBytes = line.slice(0..<methodEnd)
        let targetBytes = line.slice(targetStart..<targetEnd)
        let version = try parseVersion(line.slice(targetEnd + 1..<count))

        // We are an origin server, not a proxy: CONNECT is a valid method we do not implement.
        if methodBytes.elementsEqual("CONNECT".utf8) {
            throw .notImplemented("CONNECT is not supported")
        }
        try checkTarget(targetBytes, isOptions: methodBytes.elementsEqual("OPTIONS".utf8))

        return RequestLine(
            method: String(decoding: methodBytes, as: UTF8.self),
            target: String(decoding: targetBytes, as: UTF8.self),
            version: version
        )
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT`, case-sensitive (RFC 9112 2.3).
    ///
    /// 1.0 and 1.1 are served as such. A higher 1.x minor is processed as 1.1, as RFC 9110 6.2
    /// asks ("the highest minor version within that major version to which the recipient is
    /// conformant"), and is reported as 1.1 so that responses and keep-alive follow 1.1 rules.
    /// Any other major version (0.9, 2.0, 3.0) is well-formed but not ours: 505.
    static func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        guard bytes.count == 8,
              bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"),
              bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"),
              bytes[4] == ByteClass.slash, bytes[6] == UInt8(ascii: "."),
              let major = decimalDigit(bytes[5]), let minor = decimalDigit(bytes[7])
        else {
            throw .badRequest("malformed HTTP version")
        }
        guard major == 1 else { throw .versionNotSupported }
        return minor == 0 ? .http1_0 : .http1_1
    }

    /// Accepts the request-target forms an origin server must (RFC 9112 3.2):
    /// origin-form (`/path?query`), absolute-form (`http://host/path`, kept as given), and
    /// asterisk-form (`*`) only for OPTIONS. Authority-form belongs to CONNECT, refused earlier.
    static func checkTarget(_ target: UnsafeBufferPointer<UInt8>, isOptions: Bool) throws(HTTPParseError) {
        guard !target.isEmpty else { throw .badRequest("empty request target") }
        for byte in target where !ByteClass.isTargetChar(byte) {
            throw .badRequest("invalid character in request target")
        }
        switch target[0] {
        case ByteClass.slash:
            return
        case ByteClass.asterisk where target.count == 1:
            guard isOptions else { throw .badRequest("asterisk-form target is only for OPTIONS") }
        default:
            guard let authorityStart = absoluteFormAuthorityStart(target),
                  authorityStart < target.count,
                  target[authorityStart] != ByteClass.slash,
                  target[authorityStart] != UInt8(ascii: "?")
            else {
                throw .badRequest("invalid request target")
            }
        }
    }

    /// Where the authority begins when `target` starts with `http://` or `https://`
    /// (scheme case-insensitive), else nil. Other schemes mean nothing to an HTTP origin server.
    /// The one rule for the parser and for `Request`, which reads the path and host after it.
    static func absoluteFormAuthorityStart(_ target: UnsafeBufferPointer<UInt8>) -> Int? {
        if target.count >= 7, ByteClass.equalsIgnoringCase(target.slice(0..<7), "http://") { return 7 }
        if target.count >= 8, ByteClass.equalsIgnoringCase(target.slice(0..<8), "https://") { return 8 }
        return nil
    }

    @inline(__always)
    private static func decimalDigit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte &- UInt8(ascii: "0")) : nil
    }
}
