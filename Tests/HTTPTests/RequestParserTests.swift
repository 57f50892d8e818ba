import Testing
@testable import HTTP

// MARK: - Helpers

/// How the bytes of a test reach the parser: all in one append, or one append per byte
/// (every partial state is then visited, which is how a slow client looks).
enum FeedMode: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case whole, byteByByte
    var testDescription: String { rawValue }
}

/// The parts of a request the parser fills, in a form tests can compare.
struct ParsedRequest: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var version: HTTPVersion
    var headers: [HTTPHeaders.Field]
    var body: [UInt8]
    var trailers: [HTTPHeaders.Field]

    init(_ request: Request) {
        method = request.method
        target = request.target
        version = request.version
        headers = request.headers.fields
        body = request.body
        trailers = request.trailers.fields
    }

    var description: String {
        "\(method) \(target) HTTP/\(version.major).\(version.minor) headers=\(headers) body=\(body.count)B trailers=\(trailers)"
    }
}

/// Feeds `bytes` to a fresh parser and collects every request, draining after each append.
func parseAll(
    _ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), mode: FeedMode = .whole
) throws(HTTPParseError) -> (requests: [ParsedRequest], parser: RequestParser) {
    var parser = RequestParser(limits: limits)
    var requests: [ParsedRequest] = []
    let pieces: [[UInt8]] = mode == .whole ? [bytes] : bytes.map { [$0] }
    for piece in pieces {
        parser.append(piece)
        while let request = try parser.next() { requests.append(ParsedRequest(request)) }
    }
    return (requests, parser)
}

/// The error the parser throws for `bytes`, or nil when it throws none.
func parseError(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), mode: FeedMode = .whole) -> HTTPParseError? {
    do throws(HTTPParseError) {
        _ = try parseAll(bytes, limits: limits, mode: mode)
        return nil
    } catch {
        return error
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A request line of exactly `length` bytes (without CRLF), for limit tests.
func requestLine(length: Int) -> String {
    "GET /" + String(repeating: "a", count: length - 14) + " HTTP/1.1"
}

let minimalGet = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

// MARK: - Rejections

struct RejectionCase: Sendable, CustomTestStringConvertible {
    let reason: String
    let input: [UInt8]
    let status: Int
    let limits: HTTPLimits

    init(_ reason: String, _ text: String, _ status: Int, limits: HTTPLimits = HTTPLimits()) {
        self.init(reason, bytes: bytes(text), status, limits: limits)
    }

    init(_ reason: String, bytes: [UInt8], _ status: Int, limits: HTTPLimits = HTTPLimits()) {
        self.reason = reason
        self.input = bytes
        self.status = status
        self.limits = limits
    }

    var testDescription: String { "\(status): \(reason)" }
}

let requestLineRejections: [RejectionCase] = [
    RejectionCase("method with a non-token character", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("method with a non-ASCII byte",
                  bytes: bytes("G") + [0xC9] + bytes("T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400),
    RejectionCase("empty method (line starts with SP)", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("tab instead of SP after the method", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("two SP between method and target", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("two SP between target and version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("space inside the target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("missing version (HTTP/0.9 style line)", "GET /\r\nHost: a\r\n\r\n", 400),
    RejectionCase("only a method", "GET\r\nHost: a\r\n\r\n", 400),
    RejectionCase("control character in target", "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("DEL in target", "GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("NUL in target", "GET /\u{00} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("non-ASCII byte in target", "GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("fragment in target", "GET /page#top HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("relative target without leading slash", "GET page HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("asterisk followed by more", "OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("authority-form with GET", "GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("CONNECT is not implemented", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 501),
    RejectionCase("absolute-form with a non-HTTP scheme", "GET ftp://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("absolute-form with an empty authority", "GET http:///path HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("absolute-form scheme only", "GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("lower-case HTTP name", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("two-digit minor", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
    RejectionCase("two-digit major", "GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("trailing SP after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
    RejectionCase("letters for version digits", "GET / HTTP/a.b\r\nHost: a\r\n\r\n", 400),
    RejectionCase("HTTP/2.0 is well-formed but not served", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    RejectionCase("HTTP/3.0 is well-formed but not served", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
    RejectionCase("HTTP/0.9 is well-formed but not served", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
    RejectionCase("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    RejectionCase("request line one byte over the limit",
                  requestLine(length: 21) + "\r\nHost: a\r\n\r\n", 414,
                  limits: HTTPLimits(maxRequestLineBytes: 20)),
    RejectionCase("over-long request line detected before its CRLF arrives",
                  requestLine(length: 21), 414, limits: HTTPLimits(maxRequestLineBytes: 20)),
    RejectionCase("default 8 KiB request-line limit, no CRLF yet",
                  "GET /" + String(repeating: "a", count: 9000), 414),
    RejectionCase("more empty lines before the request line than allowed",
                  String(repeating: "\r\n", count: RequestParser.maxLeadingEmptyLines + 1) + minimalGet, 400),
]

let lineEndingRejections: [RejectionCase] = [
    RejectionCase("bare LF ends the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
    RejectionCase("bare LF ends a field line", "GET / HTTP/1.1\r\nHost: a\n\r\n", 400),
    RejectionCase("bare LF as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400),
    RejectionCase("bare LF as a leading empty line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("bare CR inside the request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    RejectionCase("bare CR inside a field value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400),
    RejectionCase("bare CR detected before any LF arrives", "GET / HTTP/1.1\r\nX: a\rbbbbbbbbb", 400),
    RejectionCase("CR CR LF ends a line", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400),
    RejectionCase("bare CR as a leading empty line", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
]

let fieldRejections: [RejectionCase] = [
    RejectionCase("space between field name and colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    RejectionCase("tab between field name and colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400),
    RejectionCase("obs-fold continuation line", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 400),
    RejectionCase("obs-fold with a tab", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", 400),
    RejectionCase("whitespace before the first field line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
    RejectionCase("field line without a colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
    RejectionCase("empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
    RejectionCase("non-token field name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", 400),
    RejectionCase("non-ASCII field name", "GET / HTTP/1.1\r\nHost: a\r\nX\u{E9}: b\r\n\r\n", 400),
    RejectionCase("NUL in a field value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{00}b\r\n\r\n", 400),
    RejectionCase("control character in a field value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1B}b\r\n\r\n", 400),
    RejectionCase("DEL in a field value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}\r\n\r\n", 400),
    RejectionCase("one field more than maxHeaderCount",
                  "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\nZ: 3\r\n\r\n", 431,
                  limits: HTTPLimits(maxHeaderCount: 3)),
    RejectionCase("too many fields detected before the head ends",
                  "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\nZ: 3\r\n", 431,
                  limits: HTTPLimits(maxHeaderCount: 3)),
    // Host: a CRLF (9) + X: <17 b> CRLF (22) = 31 bytes of field lines.
    RejectionCase("header section one byte over maxHeaderBytes",
                  "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 17))\r\n\r\n", 431,
                  limits: HTTPLimits(maxHeaderBytes: 30)),
    RejectionCase("over-long header section detected before its CRLF arrives",
                  "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 17))", 431,
                  limits: HTTPLimits(maxHeaderBytes: 30)),
    RejectionCase("default 32 KiB header limit, no CRLF yet",
                  "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 33 * 1024), 431),
]

let hostRejections: [RejectionCase] = [
    RejectionCase("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX: a\r\n\r\n", 400),
    RejectionCase("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    RejectionCase("two Host fields with the same value, any case", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400),
    RejectionCase("two Host fields in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    RejectionCase("Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    RejectionCase("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
    RejectionCase("Host with a space inside", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
]

let framingRejections: [RejectionCase] = [
    RejectionCase("Transfer-Encoding and Content-Length",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
    RejectionCase("Content-Length and Transfer-Encoding, other order",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    RejectionCase("Content-Length repeated with the same value",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
    RejectionCase("Content-Length repeated with different values",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
    RejectionCase("Content-Length as a comma list",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
    RejectionCase("Content-Length with a plus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400),
    RejectionCase("negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\n", 400),
    RejectionCase("empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
    RejectionCase("Content-Length with a letter", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3a\r\n\r\nabc", 400),
    RejectionCase("hexadecimal Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc", 400),
    RejectionCase("Content-Length with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400),
    RejectionCase("Content-Length overflowing Int",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
    RejectionCase("Content-Length one over maxBodyBytes, refused before the body",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", 413,
                  limits: HTTPLimits(maxBodyBytes: 10)),
    RejectionCase("huge Content-Length under the default limit",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413),
    RejectionCase("Transfer-Encoding gzip alone: chunked not final",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
    RejectionCase("chunked before another coding: chunked not final",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
    RejectionCase("an unimplemented coding before chunked",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    RejectionCase("an unimplemented coding in a separate field before chunked",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
    RejectionCase("chunked listed twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
    RejectionCase("chunked in two fields",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    RejectionCase("chunked with a parameter is not exactly chunked",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", 400),
    RejectionCase("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400),
    RejectionCase("Transfer-Encoding of commas only", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , ,\r\n\r\n", 400),
    RejectionCase("malformed coding name", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: g(z), chunked\r\n\r\n", 400),
    RejectionCase("Transfer-Encoding in HTTP/1.0",
                  "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
]

let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

let chunkedRejections: [RejectionCase] = [
    RejectionCase("empty chunk size", chunkedHead + "\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("non-hex chunk size", chunkedHead + "g\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk size with a plus sign", chunkedHead + "+3\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk size with a minus sign", chunkedHead + "-3\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk size with leading space", chunkedHead + " 3\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk size with trailing space and no extension", chunkedHead + "3 \r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk size with a 0x prefix", chunkedHead + "0x3\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk size overflowing Int", chunkedHead + "1ffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension without a name", chunkedHead + "3;\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension with an empty value", chunkedHead + "3;a=\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension without a semicolon", chunkedHead + "3 a\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension with an unterminated quoted value", chunkedHead + "3;a=\"b\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension name followed by whitespace and nothing else", chunkedHead + "3;a \r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension value followed by whitespace", chunkedHead + "3;a=b\t\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("extension with a non-token name", chunkedHead + "3;a(b)\r\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk line one byte over maxChunkLineBytes", chunkedHead + "3;ab=cdef\r\nabc\r\n0\r\n\r\n", 400,
                  limits: HTTPLimits(maxChunkLineBytes: 8)),
    RejectionCase("over-long chunk line detected before its CRLF arrives", chunkedHead + "3;abcdefghij", 400,
                  limits: HTTPLimits(maxChunkLineBytes: 8)),
    RejectionCase("bare LF after the chunk size", chunkedHead + "3\nabc\r\n0\r\n\r\n", 400),
    RejectionCase("bare CR after the chunk size", chunkedHead + "3\rabc\r\n0\r\n\r\n", 400),
    RejectionCase("chunk data longer than its size", chunkedHead + "3\r\nabcd\r\n0\r\n\r\n", 400),
    RejectionCase("chunk data followed by a bare LF", chunkedHead + "3\r\nabc\n0\r\n\r\n", 400),
    RejectionCase("chunk data followed by CR and a non-LF", chunkedHead + "3\r\nabc\rx0\r\n\r\n", 400),
    RejectionCase("single chunk one byte over maxBodyBytes", chunkedHead + "b\r\n", 413,
                  limits: HTTPLimits(maxBodyBytes: 10)),
    RejectionCase("chunks summing to one byte over maxBodyBytes",
                  chunkedHead + "5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", 413, limits: HTTPLimits(maxBodyBytes: 10)),
    RejectionCase("trailer with obs-fold", chunkedHead + "0\r\nX: a\r\n b\r\n\r\n", 400),
    RejectionCase("trailer with whitespace before the colon", chunkedHead + "0\r\nX : a\r\n\r\n", 400),
    RejectionCase("trailer with a control character", chunkedHead + "0\r\nX: a\u{01}\r\n\r\n", 400),
    RejectionCase("bare LF ending the trailer section", chunkedHead + "0\r\nX: a\r\n\n", 400),
    // The head uses 2 fields; 2 trailers make 4 > 3: trailers share the header budget.
    RejectionCase("trailers past maxHeaderCount together with the headers",
                  chunkedHead + "0\r\nX: 1\r\nY: 2\r\n\r\n", 431, limits: HTTPLimits(maxHeaderCount: 3)),
    // Head field lines: 9 + 28 = 37 bytes; the trailer "X: 1" CRLF adds 6 = 43 > 42.
    RejectionCase("trailers past maxHeaderBytes together with the headers",
                  chunkedHead + "0\r\nX: 1\r\n\r\n", 431, limits: HTTPLimits(maxHeaderBytes: 42)),
]

let expectRejections: [RejectionCase] = [
    RejectionCase("unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\nContent-Length: 1\r\n\r\nx", 417),
    RejectionCase("100-continue with an unknown expectation",
                  "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\nContent-Length: 1\r\n\r\nx", 417),
    RejectionCase("100-continue with a parameter is another expectation",
                  "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue;a=b\r\nContent-Length: 1\r\n\r\nx", 417),
    RejectionCase("unknown expectation on a GET", "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417),
    RejectionCase("unknown expectation in HTTP/1.0", "GET / HTTP/1.0\r\nExpect: 200-ok\r\n\r\n", 417),
]

@Suite struct RequestParserRejectionTests {
    @Test(arguments: requestLineRejections, FeedMode.allCases)
    func requestLine(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    @Test(arguments: lineEndingRejections, FeedMode.allCases)
    func lineEndings(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    @Test(arguments: fieldRejections, FeedMode.allCases)
    func fieldLines(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    @Test(arguments: hostRejections, FeedMode.allCases)
    func host(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    @Test(arguments: framingRejections, FeedMode.allCases)
    func framing(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    @Test(arguments: chunkedRejections, FeedMode.allCases)
    func chunked(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    @Test(arguments: expectRejections, FeedMode.allCases)
    func expect(_ row: RejectionCase, mode: FeedMode) {
        expectRejection(row, mode: mode)
    }

    private func expectRejection(_ row: RejectionCase, mode: FeedMode) {
        let error = parseError(row.input, limits: row.limits, mode: mode)
        #expect(error?.status.code == row.status, "\(row.reason): got \(error.map(\.description) ?? "no error")")
    }

    @Test func errorPoisonsTheParser() throws {
        var parser = RequestParser()
        parser.append(bytes("GET / HTTP/2.0\r\nHost: a\r\n\r\n"))
        let first = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(first?.status == .httpVersionNotSupported)
        parser.append(bytes(minimalGet))
        let second = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(second == first)
        #expect(parser.bufferedByteCount == 0, "a failed parser keeps no bytes")
    }

    @Test func anErrorInTheSecondPipelinedRequestComesAfterTheFirstRequest() throws {
        var parser = RequestParser()
        parser.append(bytes(minimalGet + "GET / HTTP/1.1\r\nHost : a\r\n\r\n"))
        let first = try parser.next()
        #expect(first?.target == "/")
        let error = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(error?.status == .badRequest)
    }

    @Test func reasonsNeverEchoRequestBytes() {
        let secret = "s3cr3t-token-value"
        let inputs = [
            "GET /\(secret)# HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nAuthorization : \(secret)\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nCookie: \(secret)\u{01}\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(secret)\r\n\r\n",
        ]
        for input in inputs {
            let error = parseError(bytes(input))
            #expect(error != nil)
            #expect(!(error?.reason.contains(secret) ?? true), "reason must be log-safe: \(error?.reason ?? "")")
        }
    }
}

// MARK: - Accepted requests

struct AcceptCase: Sendable, CustomTestStringConvertible {
    let reason: String
    let input: [UInt8]
    let method: String
    let target: String
    let version: HTTPVersion
    let body: String
    /// Fields expected among the headers (name, value); others may be present.
    let headers: [HTTPHeaders.Field]
    let trailers: [HTTPHeaders.Field]
    let limits: HTTPLimits

    init(
        _ reason: String, _ text: String, method: String = "GET", target: String = "/",
        version: HTTPVersion = .http1_1, body: String = "",
        headers: [(String, String)] = [], trailers: [(String, String)] = [],
        limits: HTTPLimits = HTTPLimits()
    ) {
        self.init(reason, bytes: bytes(text), method: method, target: target, version: version, body: body,
                  headers: headers, trailers: trailers, limits: limits)
    }

    init(
        _ reason: String, bytes: [UInt8], method: String = "GET", target: String = "/",
        version: HTTPVersion = .http1_1, body: String = "",
        headers: [(String, String)] = [], trailers: [(String, String)] = [],
        limits: HTTPLimits = HTTPLimits()
    ) {
        self.reason = reason
        self.input = bytes
        self.method = method
        self.target = target
        self.version = version
        self.body = body
        self.headers = headers.map { HTTPHeaders.Field(name: $0.0, value: $0.1) }
        self.trailers = trailers.map { HTTPHeaders.Field(name: $0.0, value: $0.1) }
        self.limits = limits
    }

    var testDescription: String { reason }
}

let acceptedRequests: [AcceptCase] = [
    AcceptCase("minimal GET", minimalGet, headers: [("Host", "a")]),
    AcceptCase("field names keep their case, values are trimmed of OWS",
               "GET / HTTP/1.1\r\nhOsT: a\r\nX-Spaced: \t a  b \t\r\n\r\n",
               headers: [("hOsT", "a"), ("X-Spaced", "a  b")]),
    AcceptCase("empty field value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", headers: [("X-Empty", "")]),
    AcceptCase("percent-encoded target kept as received",
               "GET /a%20b/%2F..%2f?q=%E2%82%AC&x=%zz HTTP/1.1\r\nHost: a\r\n\r\n",
               target: "/a%20b/%2F..%2f?q=%E2%82%AC&x=%zz"),
    AcceptCase("query with brackets and braces as browsers send them",
               "GET /s?a[]=1&b={x}|y HTTP/1.1\r\nHost: a\r\n\r\n", target: "/s?a[]=1&b={x}|y"),
    AcceptCase("absolute-form target kept as given",
               "GET http://example.com/x?y=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
               target: "http://example.com/x?y=1"),
    AcceptCase("absolute-form https with port and no path, scheme in upper case",
               "GET HTTPS://Example.com:8443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
               target: "HTTPS://Example.com:8443"),
    AcceptCase("asterisk-form for OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", method: "OPTIONS", target: "*"),
    AcceptCase("extension method that is a token", "M-SEARCH /x HTTP/1.1\r\nHost: a\r\n\r\n",
               method: "M-SEARCH", target: "/x"),
    AcceptCase("one leading empty line", "\r\n" + minimalGet),
    AcceptCase("the most leading empty lines allowed",
               String(repeating: "\r\n", count: RequestParser.maxLeadingEmptyLines) + minimalGet),
    AcceptCase("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", version: .http1_0),
    AcceptCase("HTTP/1.0 with a body by Content-Length", "POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nok",
               method: "POST", version: .http1_0, body: "ok"),
    AcceptCase("HTTP/1.2 is processed as HTTP/1.1 (RFC 9110 6.2)", "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
               version: .http1_1),
    AcceptCase("empty Host is allowed (RFC 9110 7.2)", "GET / HTTP/1.1\r\nHost:\r\n\r\n", headers: [("Host", "")]),
    AcceptCase("IPv6 literal Host with a port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
               headers: [("Host", "[::1]:8080")]),
    AcceptCase("no Content-Length or Transfer-Encoding means an empty body",
               "POST /p HTTP/1.1\r\nHost: a\r\n\r\n", method: "POST", target: "/p"),
    AcceptCase("Content-Length 0", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", method: "POST"),
    AcceptCase("Content-Length with leading zeros", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello",
               method: "POST", body: "hello"),
    AcceptCase("Content-Length body", "POST / HTTP/1.1\r\nHost: a\r\ncontent-length:  5 \r\n\r\nhello",
               method: "POST", body: "hello"),
    AcceptCase("chunked with extensions and trailers",
               chunkedHead + "5;name=value;q=\"a \\\"b\\\"\"\r\nhello\r\n6 ; x ; y = z\r\n world\r\n0;last\r\n"
                   + "Checksum: abc\r\nX-T:1\r\n\r\n",
               method: "POST", body: "hello world", trailers: [("Checksum", "abc"), ("X-T", "1")]),
    AcceptCase("chunked with hex sizes in both cases and leading zeros",
               chunkedHead + "A\r\n0123456789\r\n000b\r\nabcdefghijk\r\n0\r\n\r\n",
               method: "POST", body: "0123456789abcdefghijk"),
    AcceptCase("chunked with only the last chunk is an empty body", chunkedHead + "0\r\n\r\n", method: "POST"),
    AcceptCase("chunked coding name is case-insensitive, empty list elements skipped",
               "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
               method: "POST", body: "x"),
    AcceptCase("obs-text that is valid UTF-8 is decoded as UTF-8",
               bytes: bytes("GET / HTTP/1.1\r\nHost: a\r\nX: caf") + [0xC3, 0xA9] + bytes("\r\n\r\n"),
               headers: [("X", "caf\u{E9}")]),
    AcceptCase("obs-text that is not UTF-8 is mapped as ISO-8859-1",
               bytes: bytes("GET / HTTP/1.1\r\nHost: a\r\nX: caf") + [0xE9, 0xFF] + bytes("\r\n\r\n"),
               headers: [("X", "caf\u{E9}\u{FF}")]),
    AcceptCase("Expect 100-continue with the whole body already here",
               "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
               method: "POST", body: "ok"),
    AcceptCase("Expect 100-continue on HTTP/1.0 is ignored",
               "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
               method: "POST", version: .http1_0, body: "ok"),
    // Limits exactly at the boundary; the rows one over are in the rejection tables.
    AcceptCase("request line exactly maxRequestLineBytes", requestLine(length: 20) + "\r\nHost: a\r\n\r\n",
               target: "/aaaaaa", limits: HTTPLimits(maxRequestLineBytes: 20)),
    AcceptCase("header section exactly maxHeaderBytes",
               "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 16))\r\n\r\n",
               limits: HTTPLimits(maxHeaderBytes: 30)),
    AcceptCase("exactly maxHeaderCount fields", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n",
               limits: HTTPLimits(maxHeaderCount: 3)),
    AcceptCase("Content-Length exactly maxBodyBytes",
               "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789",
               method: "POST", body: "0123456789", limits: HTTPLimits(maxBodyBytes: 10)),
    AcceptCase("chunks summing to exactly maxBodyBytes", chunkedHead + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n",
               method: "POST", body: "helloworld", limits: HTTPLimits(maxBodyBytes: 10)),
    AcceptCase("chunk line exactly maxChunkLineBytes", chunkedHead + "3;ab=cde\r\nabc\r\n0\r\n\r\n",
               method: "POST", body: "abc", limits: HTTPLimits(maxChunkLineBytes: 8)),
    AcceptCase("trailers exactly filling the shared field count",
               chunkedHead + "0\r\nX: 1\r\n\r\n", method: "POST", trailers: [("X", "1")],
               limits: HTTPLimits(maxHeaderCount: 3)),
]

@Suite struct RequestParserAcceptanceTests {
    @Test(arguments: acceptedRequests, FeedMode.allCases)
    func accepts(_ row: AcceptCase, mode: FeedMode) throws {
        let (requests, parser) = try parseAll(row.input, limits: row.limits, mode: mode)
        try #require(requests.count == 1, "\(row.reason)")
        let request = requests[0]
        #expect(request.method == row.method)
        #expect(request.target == row.target)
        #expect(request.version == row.version)
        #expect(request.body == bytes(row.body))
        for field in row.headers {
            #expect(request.headers.contains(field), "missing \(field.name): \(field.value)")
        }
        #expect(request.trailers == row.trailers)
        #expect(parser.bufferedByteCount == 0)
        #expect(parser.phase == .idle)
        #expect(!parser.shouldSendContinue)
    }
}

// MARK: - Incremental behaviour

@Suite struct RequestParserIncrementalTests {
    static let pipelinedParts = [
        minimalGet,
        "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        chunkedHead + "2;x=y\r\nhi\r\n0\r\nT: v\r\n\r\n",
    ]
    static let pipelined = pipelinedParts.joined()

    @Test func pipelinedRequestsComeOutOneByOneInOrder() throws {
        var parser = RequestParser()
        parser.append(bytes(Self.pipelined))
        let first = try #require(try parser.next())
        #expect(first.method == "GET" && first.target == "/")
        #expect(parser.phase == .head, "the next request's bytes are buffered")
        let second = try #require(try parser.next())
        #expect(second.method == "POST" && second.target == "/form" && second.body == bytes("abc"))
        let third = try #require(try parser.next())
        #expect(third.body == bytes("hi") && third.trailers["t"] == "v")
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)
        #expect(parser.phase == .idle)
    }

    @Test func aPartialNextRequestStaysBuffered() throws {
        let partial = "POST /next HTTP/1.1\r\nHost: a\r\nContent-Le"
        var parser = RequestParser()
        parser.append(bytes(minimalGet + partial))
        #expect(try parser.next()?.target == "/")
        #expect(try parser.next() == nil)
        #expect(parser.phase == .head)
        #expect(parser.bufferedByteCount == partial.utf8.count - "POST /next HTTP/1.1\r\nHost: a\r\n".utf8.count,
                "complete field lines are consumed, the partial one stays")
        parser.append(bytes("ngth: 2\r\n\r\nok"))
        let second = try #require(try parser.next())
        #expect(second.target == "/next" && second.body == bytes("ok"))
    }

    /// Every request comes out exactly when its last byte arrives, and never earlier.
    @Test func byteByByteYieldsEachRequestOnItsLastByte() throws {
        let input = bytes(Self.pipelined)
        let expected = try parseAll(input).requests
        #expect(expected.count == 3)
        var parser = RequestParser()
        var got: [ParsedRequest] = []
        var completedAt: [Int] = []
        for (offset, byte) in input.enumerated() {
            parser.append([byte])
            while let request = try parser.next() {
                got.append(ParsedRequest(request))
                completedAt.append(offset)
            }
        }
        #expect(got == expected)
        var ends: [Int] = []
        var total = 0
        for part in Self.pipelinedParts {
            total += part.utf8.count
            ends.append(total - 1)
        }
        #expect(completedAt == ends)
    }

    /// Two appends, split at every possible offset, give the same requests as one.
    @Test func everySplitPointGivesTheSameRequests() throws {
        let input = bytes(Self.pipelined)
        let expected = try parseAll(input).requests
        for split in 0...input.count {
            var parser = RequestParser()
            var got: [ParsedRequest] = []
            for piece in [Array(input[..<split]), Array(input[split...])] {
                parser.append(piece)
                while let request = try parser.next() { got.append(ParsedRequest(request)) }
            }
            #expect(got == expected, "split at \(split)")
        }
    }

    @Test func phaseFollowsTheRequest() throws {
        var parser = RequestParser()
        #expect(parser.phase == .idle)
        parser.append(bytes("\r\n"))
        #expect(try parser.next() == nil)
        #expect(parser.phase == .idle, "a skipped empty line does not start a request")
        parser.append(bytes("P"))
        #expect(parser.phase == .head, "one byte of a request line is a head in progress")
        parser.append(bytes("OST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab"))
        #expect(try parser.next() == nil)
        #expect(parser.phase == .body)
        parser.append(bytes("cd"))
        #expect(try parser.next()?.body == bytes("abcd"))
        #expect(parser.phase == .idle)
    }

    @Test func expectContinueFlow() throws {
        var parser = RequestParser()
        parser.append(bytes("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"))
        #expect(try parser.next() == nil)
        #expect(parser.shouldSendContinue)
        #expect(parser.phase == .body)
        parser.continueSent()
        #expect(!parser.shouldSendContinue, "true only once")
        parser.append(bytes("hel"))
        #expect(try parser.next() == nil)
        #expect(!parser.shouldSendContinue)
        parser.append(bytes("lo"))
        #expect(try parser.next()?.body == bytes("hello"))
        #expect(!parser.shouldSendContinue)
    }

    @Test func expectContinueWithChunkedBody() throws {
        var parser = RequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"))
        #expect(try parser.next() == nil)
        #expect(parser.shouldSendContinue)
        parser.append(bytes("0\r\n\r\n"))
        #expect(try parser.next() != nil)
        #expect(!parser.shouldSendContinue, "cleared once the request is complete, even if never sent")
    }

    @Test func expectContinueIsNotDueWithoutABody() throws {
        var parser = RequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"))
        #expect(try parser.next() != nil)
        #expect(!parser.shouldSendContinue)

        var http10 = RequestParser()
        http10.append(bytes("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"))
        #expect(try http10.next() == nil)
        #expect(!http10.shouldSendContinue, "RFC 9110 10.1.1: ignored in HTTP/1.0")
    }

    @Test func exactLimitsDoNotTripEarlyDetectionOnPartialInput() throws {
        // The longest allowed line, without its CRLF yet, must wait for more bytes, not fail.
        var lineParser = RequestParser(limits: HTTPLimits(maxRequestLineBytes: 20))
        lineParser.append(bytes(requestLine(length: 20) + "\r"))
        #expect(try lineParser.next() == nil)

        var headerParser = RequestParser(limits: HTTPLimits(maxHeaderBytes: 30))
        headerParser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 16) + "\r"))
        #expect(try headerParser.next() == nil)
        headerParser.append(bytes("\n\r"))
        #expect(try headerParser.next() == nil, "a full section still accepts its closing empty line")
        headerParser.append(bytes("\n"))
        #expect(try headerParser.next() != nil)
    }

    @Test(arguments: [
        1000,  // pieces that end mid-request, so consumed bytes pile up and get compacted
        997,  // a prime, so pieces end at ever-changing offsets of requests
        4099,  // larger pieces, several requests each
    ])
    func manyPipelinedRequestsThroughCompaction(pieceSize: Int) throws {
        let one = "POST /n HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"
        let input = bytes(String(repeating: one, count: 2000))
        var parser = RequestParser()
        var count = 0
        var offset = 0
        while offset < input.count {
            let end = min(offset + pieceSize, input.count)
            parser.append(Array(input[offset..<end]))
            offset = end
            while let request = try parser.next() {
                #expect(request.body == bytes("0123456789"))
                count += 1
            }
        }
        #expect(count == 2000)
        #expect(parser.bufferedByteCount == 0)
    }

    /// A large consumed prefix is dropped on the next append while a line is half scanned;
    /// the scan must resume at the same byte of the line, not at a stale offset.
    @Test func compactionInTheMiddleOfALineKeepsItsPlace() throws {
        let body = String(repeating: "x", count: RequestParser.compactionThreshold + 100)
        var parser = RequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            + "GET /second HTTP/1.1\r\nHo"))
        #expect(try parser.next()?.body.count == body.utf8.count)
        #expect(try parser.next() == nil)
        parser.append(bytes("st: a\r\n\r\n"))
        let second = try #require(try parser.next())
        #expect(second.target == "/second" && second.headers["Host"] == "a")
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func largeBodyArrivesInPieces() throws {
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        var parser = RequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n"))
        var offset = 0
        var request: Request?
        while offset < body.count {
            #expect(request == nil)
            let end = min(offset + 4096, body.count)
            parser.append(Array(body[offset..<end]))
            offset = end
            request = try parser.next()
        }
        #expect(request?.body == body)
    }

    @Test func negativeLimitsRefuseInsteadOfTrapping() {
        let limits = HTTPLimits(
            maxRequestLineBytes: 100, maxHeaderBytes: Int.min, maxHeaderCount: -1,
            maxBodyBytes: Int.min, maxChunkLineBytes: Int.min
        )
        #expect(parseError(bytes(minimalGet), limits: limits)?.status == .requestHeaderFieldsTooLarge)
        let noLine = HTTPLimits(maxRequestLineBytes: Int.min)
        #expect(parseError(bytes(minimalGet), limits: noLine)?.status == .uriTooLong)
    }

    @Test func appendAcceptsRawBuffers() throws {
        var parser = RequestParser()
        bytes(minimalGet).withUnsafeBytes { parser.append($0) }
        #expect(try parser.next()?.headers["host"] == "a")
    }
}

// MARK: - Byte classes and the eight-bytes-at-a-time scans

@Suite struct RequestParserByteLevelTests {
    @Test func tokenCharBitmapMatchesRFC9110() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(ByteClass.isTokenChar(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    /// A long value is checked eight bytes at a time; a bad byte must be caught at every offset
    /// of a word and in the byte-wise tail, and a tab (legal) must not stop the check.
    @Test(arguments: [
        (UInt8(0x00), 400),  // NUL
        (UInt8(0x01), 400),  // a C0 control
        (UInt8(0x1F), 400),  // the last C0 control
        (UInt8(0x7F), 400),  // DEL
        (UInt8(0x0A), 400),  // LF inside a line is a bare LF
        (UInt8(0x0D), 400),  // CR inside a line is a bare CR
        (UInt8(0x09), 200),  // HTAB is allowed in a value
        (UInt8(0xFF), 200),  // obs-text is allowed in a value
        (UInt8(0x7E), 200),  // the last VCHAR
    ])
    func oneByteAtEveryOffsetOfALongValue(byte: UInt8, status: Int) throws {
        for offset in 0..<27 {
            var value = Array(repeating: UInt8(ascii: "v"), count: 27)
            value[offset] = byte
            let input = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: <") + value + bytes(">\r\n\r\n")
            let error = parseError(input)
            #expect((error?.status.code ?? 200) == status, "byte \(byte) at offset \(offset)")
            if status == 200 {
                let request = try #require(try parseAll(input).requests.first)
                #expect(request.headers.first { $0.name == "X" }?.value.unicodeScalars.count == 29)
            }
        }
    }
}

/// Large bodies take from the server's shared `BodyBudget` while they are held.
@Suite struct RequestParserBodyBudgetTests {
    static let free = BodyBudget.allowancePerBody

    @Test func aLargeBodyHoldsItsShareUntilReleased() throws {
        let budget = BodyBudget(capacity: 100)
        var first = RequestParser(budget: budget)
        first.append(Array("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: \(Self.free + 60)\r\n\r\n".utf8))
        #expect(try first.next() == nil)
        #expect(budget.inUse == 60, "past the allowance, taken when the head is in, before any body byte")

        var second = RequestParser(budget: budget)
        second.append(Array("POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: \(Self.free + 50)\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.bodiesInFlightFull) { try second.next() }
        #expect(budget.inUse == 60, "a refused body takes nothing")

        var small = RequestParser(budget: budget)
        small.append(Array("POST /s HTTP/1.1\r\nHost: t\r\nContent-Length: \(Self.free)\r\n\r\n".utf8))
        #expect(try small.next() == nil, "a body within the allowance takes nothing, and is not refused")

        first.append(Array(String(repeating: "x", count: Self.free + 60).utf8))
        #expect(try first.next()?.body.count == Self.free + 60)
        #expect(budget.inUse == 60, "still held while its request is answered")
        first.releaseBody()
        #expect(budget.inUse == 0, "given back once answered")
        first.releaseBody()
        #expect(budget.inUse == 0, "and only once")
    }

    @Test func aChunkedBodyHoldsWhatItsBufferOccupies() throws {
        let budget = BodyBudget(capacity: 1 << 20)
        var chunked = RequestParser(budget: budget)
        let size = Self.free + 30
        chunked.append(Array("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\(String(size, radix: 16))\r\n".utf8))
        #expect(try chunked.next() == nil)
        #expect(budget.inUse == 30, "a chunk line takes the chunk's size past the allowance")
        chunked.append(Array((String(repeating: "y", count: size) + "\r\n\(String(size, radix: 16))\r\n" + String(repeating: "z", count: size)).utf8))
        #expect(try chunked.next() == nil)
        #expect(budget.inUse >= 2 * size - Self.free, "the second chunk grew the buffer, and what it occupies is held")
        chunked.releaseBody()
        #expect(budget.inUse == 0, "a connection that ends gives its share back")

        var malformed = RequestParser(budget: budget)
        malformed.append(Array(("POST /d HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\(String(size, radix: 16))\r\n"
            + String(repeating: "z", count: size) + "no CRLF").utf8))
        #expect(throws: HTTPParseError.self) { try malformed.next() }
        #expect(budget.inUse == 0, "a refused request gives its share back")
    }
}
