import Testing
@testable import HTTP

@Suite struct GzipTests {
    static let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 200).utf8)

    @Test(arguments: [0, 1, 6, 9])
    func roundTrip(level: Int) throws {
        let compressed = try Gzip.compress(Self.text, level: level)
        #expect(compressed.prefix(2) == [0x1F, 0x8B], "a gzip member starts with the magic bytes")
        if level > 0 { #expect(compressed.count < Self.text.count / 5) }
        #expect(try Gzip.decompress(compressed, maxOutputBytes: 1 << 20) == Self.text)
    }

    @Test func emptyAndBinaryRoundTrip() throws {
        #expect(try Gzip.decompress(Gzip.compress([]), maxOutputBytes: 10) == [])
        let binary = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        #expect(try Gzip.decompress(Gzip.compress(binary), maxOutputBytes: 10_000) == binary)
    }

    @Test func invalidLevelIsRefused() {
        #expect(throws: GzipError(code: .invalidLevel, zlibStatus: nil)) { try Gzip.compress([1], level: 10) }
    }

    @Test func outputCapStopsABomb() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(bomb.count < 2000)
        do {
            _ = try Gzip.decompress(bomb, maxOutputBytes: 64 * 1024)
            Issue.record("expected outputTooLarge")
        } catch {
            #expect(error.code == .outputTooLarge)
        }
    }

    @Test(arguments: [
        ([UInt8](Array("not gzip at all".utf8)), "no gzip header"),
        ([UInt8](), "empty input"),
    ])
    func corruptInputIsRefused(bytes: [UInt8], reason: String) {
        do {
            _ = try Gzip.decompress(bytes, maxOutputBytes: 1000)
            Issue.record("expected invalidData: \(reason)")
        } catch {
            #expect(error.code == .invalidData, "\(reason)")
        }
    }

    @Test func truncatedAndTrailingDataAreRefused() throws {
        let compressed = try Gzip.compress(Self.text)
        #expect(throws: GzipError.self, "truncated") { try Gzip.decompress(Array(compressed.dropLast(4)), maxOutputBytes: 1 << 20) }
        #expect(throws: GzipError.self, "trailing bytes") { try Gzip.decompress(compressed + [1, 2, 3], maxOutputBytes: 1 << 20) }
    }
}

@Suite struct CompressionNegotiationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let acceptEncoding: String?
        var contentType: String = "text/html; charset=utf-8"
        var bodyBytes: Int = 4096
        var status: HTTPStatus = .ok
        var contentEncoding: String? = nil
        let compressed: Bool
        let vary: Bool
        let reason: String
        var testDescription: String { reason }
    }

    @Test(arguments: [
        Case(acceptEncoding: "gzip", compressed: true, vary: true, reason: "plain gzip"),
        Case(acceptEncoding: "gzip, deflate, br", compressed: true, vary: true, reason: "a browser's list"),
        Case(acceptEncoding: "GZIP", compressed: true, vary: true, reason: "coding names are case-insensitive"),
        Case(acceptEncoding: "x-gzip", compressed: true, vary: true, reason: "the legacy alias"),
        Case(acceptEncoding: "*", compressed: true, vary: true, reason: "a wildcard allows gzip"),
        Case(acceptEncoding: "gzip;q=0", compressed: false, vary: true, reason: "q=0 refuses gzip"),
        Case(acceptEncoding: "gzip;q=0.000", compressed: false, vary: true, reason: "q=0.000 also refuses"),
        Case(acceptEncoding: "*;q=0, identity", compressed: false, vary: true, reason: "wildcard refused"),
        Case(acceptEncoding: "gzip;q=0, *", compressed: false, vary: true, reason: "an explicit gzip weight beats the wildcard"),
        Case(acceptEncoding: "identity", compressed: false, vary: true, reason: "identity only"),
        Case(acceptEncoding: "gzip;q=0.5, identity;q=1", compressed: false, vary: true, reason: "identity preferred"),
        Case(acceptEncoding: "gzip;q=0.8, identity;q=0.5", compressed: true, vary: true, reason: "gzip preferred"),
        Case(acceptEncoding: "br", compressed: false, vary: true, reason: "only codings we do not have"),
        Case(acceptEncoding: "gzip;q=2", compressed: false, vary: true, reason: "an invalid weight drops the member"),
        Case(acceptEncoding: nil, compressed: false, vary: true, reason: "no header means identity"),
        Case(acceptEncoding: "gzip", bodyBytes: 100, compressed: false, vary: true, reason: "below the minimum size"),
        Case(acceptEncoding: "gzip", contentType: "image/png", compressed: false, vary: false, reason: "PNG is already compressed"),
        Case(acceptEncoding: "gzip", contentType: "application/problem+json", compressed: true, vary: true, reason: "problem+json is text"),
        Case(acceptEncoding: "gzip", contentType: "image/svg+xml", compressed: true, vary: true, reason: "SVG is text"),
        Case(acceptEncoding: "gzip", status: .noContent, compressed: false, vary: false, reason: "204 has no body"),
        Case(acceptEncoding: "gzip", status: .notFound, compressed: false, vary: false, reason: "only 2xx representations"),
        Case(acceptEncoding: "gzip", contentEncoding: "br", compressed: false, vary: false, reason: "already encoded"),
    ])
    func negotiation(_ row: Case) throws {
        var headers: HTTPHeaders = ["Content-Type": row.contentType, "ETag": "\"v1\""]
        if let contentEncoding = row.contentEncoding { headers.add("Content-Encoding", contentEncoding) }
        let original = Array(String(repeating: "a", count: row.bodyBytes).utf8)
        var response = Response(status: row.status, headers: headers, body: original)
        var requestHeaders = HTTPHeaders()
        if let acceptEncoding = row.acceptEncoding { requestHeaders.add("Accept-Encoding", acceptEncoding) }
        applyCompression(to: &response, for: Request(method: "GET", target: "/", headers: requestHeaders))

        #expect((response.headers["Content-Encoding"] == "gzip") == row.compressed, "\(row.reason)")
        #expect((response.headers["Vary"] == "Accept-Encoding") == row.vary, "\(row.reason)")
        if row.compressed {
            #expect(response.headers["ETag"] == "\"v1-gzip\"", "a strong tag changes with the encoding")
            #expect(try Gzip.decompress(response.body, maxOutputBytes: 1 << 20) == original)
        } else {
            #expect(response.body == original)
            #expect(response.headers["ETag"] == "\"v1\"")
        }
    }

    @Test func varyIsMergedNotDuplicated() {
        var response = Response(headers: ["Content-Type": "text/plain", "Vary": "Cookie"], body: Array(repeating: 0x61, count: 2000))
        let request = Request(method: "GET", target: "/", headers: ["Accept-Encoding": "gzip"])
        applyCompression(to: &response, for: request)
        #expect(response.headers.values(of: "Vary") == ["Cookie, Accept-Encoding"])
        var again = Response(headers: ["Content-Type": "text/plain", "Vary": "accept-encoding"], body: [0x61])
        applyCompression(to: &again, for: request)
        #expect(again.headers.values(of: "Vary") == ["accept-encoding"])
    }

    @Test func weakETagStaysWeak() {
        #expect(CompressionPolicy.gzipETag("W/\"v1\"") == "W/\"v1\"")
        #expect(CompressionPolicy.gzipETag("\"v1\"") == "\"v1-gzip\"")
    }
}
