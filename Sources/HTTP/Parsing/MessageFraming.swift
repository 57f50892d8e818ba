/// How the body of a request is delimited (RFC 9112 section 6.3).
enum BodyFraming: Equatable, Sendable {
    /// No Content-Length and no Transfer-Encoding, or `Content-Length: 0`: the body is empty.
    case none
    /// Exactly this many bytes follow the head; never zero.
    case length(Int)
    /// The body is in chunked transfer coding.
    case chunked
}

/// What the header section says about Host, framing and expectations, gathered field by field
/// and judged once the head is complete.
///
/// Judging at the end, in one fixed order, means the status of a request that breaks several
/// rules does not depend on the order of its fields, and a repeated field is always seen
/// (headers are never folded into a dictionary first).
struct FramingFacts: Sendable {
    var hostCount = 0
    var hostIsInvalid = false

    var contentLengthCount = 0
    /// The parsed value of the (single) Content-Length, nil when absent or invalid.
    var contentLength: Int?
    var contentLengthIsInvalid = false

    var transferEncodingCount = 0
    /// Transfer codings across every Transfer-Encoding field, in order, `chunked` included.
    var codingCount = 0
    var chunkedCount = 0
    var finalCodingIsChunked = false
    var hasMalformedCoding = false

    var expectsContinue = false
    var hasUnsupportedExpectation = false

    /// Records one header field whose name matters for framing; `value` is already trimmed.
    mutating func note(_ name: KnownFieldName, value: UnsafeBufferPointer<UInt8>) {
        switch name {
        case .host:
            hostCount += 1
            for byte in value where !ByteClass.isHostChar(byte) {
                hostIsInvalid = true
                break
            }
        case .contentLength:
            contentLengthCount += 1
            contentLength = Self.parseContentLength(value)
            if contentLength == nil { contentLengthIsInvalid = true }
        case .transferEncoding:
            transferEncodingCount += 1
            Self.forEachListElement(of: value) { coding in noteTransferCoding(coding) }
        case .expect:
            Self.forEachListElement(of: value) { expectation in
                if ByteClass.equalsIgnoringCase(expectation, "100-continue") {
                    expectsContinue = true
                } else {
                    hasUnsupportedExpectation = true
                }
            }
        }
    }

    /// Decides the body framing, or refuses the request. The order of the checks is the
    /// order of precedence between statuses: Host (400), Transfer-Encoding rules (400, then
    /// 501), Content-Length rules (400, then 413), and last the expectation (417).
    func decide(version: HTTPVersion, limits: HTTPLimits) throws(HTTPParseError) -> BodyFraming {
        // RFC 9112 3.2: 400 for an HTTP/1.1 request without Host, and for any request with several.
        if hostCount > 1 { throw .badRequest("more than one Host field") }
        if hostCount == 0, version == .http1_1 { throw .badRequest("missing Host field") }
        if hostIsInvalid { throw .badRequest("invalid Host field") }

        let framing: BodyFraming
        if transferEncodingCount > 0 {
            // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
            if version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            // RFC 9112 6.3 item 3: both is a smuggling attempt, refused rather than guessed at.
            if contentLengthCount > 0 { throw .badRequest("both Transfer-Encoding and Content-Length") }
            if hasMalformedCoding { throw .badRequest("malformed transfer coding") }
            if codingCount == 0 { throw .badRequest("empty Transfer-Encoding") }
            if chunkedCount > 1 { throw .badRequest("chunked applied more than once") }
            // RFC 9112 6.3 item 4: MUST answer 400 when chunked is not the final coding.
            if !finalCodingIsChunked { throw .badRequest("chunked is not the final transfer coding") }
            // RFC 9112 6.1: SHOULD answer 501 for a coding we do not understand; we implement only chunked.
            if codingCount > 1 { throw .notImplemented("unsupported transfer coding") }
            framing = .chunked
        } else if contentLengthCount > 0 {
            // RFC 9112 6.3 item 5 lets a recipient accept `5, 5`; we refuse every repetition.
            if contentLengthCount > 1 { throw .badRequest("repeated Content-Length") }
            guard !contentLengthIsInvalid, let length = contentLength else {
                throw .badRequest("invalid Content-Length")
            }
            if length > limits.maxBodyBytes { throw .contentTooLarge("declared body too large") }
            framing = length == 0 ? .none : .length(length)
        } else {
            framing = .none
        }

        // RFC 9110 10.1.1: 417 for an expectation we cannot meet.
        if hasUnsupportedExpectation { throw .expectationFailed }
        return framing
    }

    /// `Content-Length = 1*DIGIT`: no sign, no space, no list; nil when invalid or over `Int.max`.
    static func parseContentLength(_ value: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !value.isEmpty else { return nil }
        var length = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            length = sum
        }
        return length
    }

    private mutating func noteTransferCoding(_ coding: UnsafeBufferPointer<UInt8>) {
        codingCount += 1
        if ByteClass.equalsIgnoringCase(coding, "chunked") {
            chunkedCount += 1
            finalCodingIsChunked = true
            return
        }
        // Any other coding, `chunked;param` included, is one we do not implement;
        // its name must still be a token for the list to make sense at all.
        finalCodingIsChunked = false
        var nameEnd = 0
        while nameEnd < coding.count, coding[nameEnd] != ByteClass.semicolon { nameEnd += 1 }
        let name = coding.slice(0..<nameEnd).trimmingWhitespace()
        if name.isEmpty || !name.allSatisfy(ByteClass.isTokenChar) { hasMalformedCoding = true }
    }

    /// Calls `body` with each non-empty element of a comma-separated list, trimmed of OWS.
    /// Empty elements are skipped, as RFC 9110 5.6.1 asks of recipients.
    private static func forEachListElement(
        of value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var start = 0
        for index in 0...value.count where index == value.count || value[index] == ByteClass.comma {
            let element = value.slice(start..<index).trimmingWhitespace()
            if !element.isEmpty { body(element) }
            start = index + 1
        }
    }
}
