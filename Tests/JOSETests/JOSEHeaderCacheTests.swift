import Testing
@testable import JOSE

@Suite("JOSEHeaderCache: a header parsed once is handed back only for the very same bytes")
struct JOSEHeaderCacheTests {
    /// Runs `body` over the bytes of `text`.
    private func withBytes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try Array(text.utf8).withUnsafeBufferPointer(body)
    }

    private func header(_ cache: JOSEHeaderCache, _ json: String) throws -> JOSEHeader {
        try withBytes(encodedHeader(json)) { bytes in try cache.header(forEncoded: bytes) }
    }

    @Test("a repeated header comes back equal to a fresh parse, and is kept once")
    func repeatedHeader() throws {
        let cache = JOSEHeaderCache()
        let json = #"{"alg":"RS256","kid":"key-1","typ":"JWT"}"#
        let first = try header(cache, json)
        let second = try header(cache, json)
        let fresh = try withBytes(encodedHeader(json)) { bytes in try JOSEHeader(encoded: bytes) }
        #expect(first == fresh)
        #expect(second == fresh)
        #expect(second.keyID == "key-1")
        #expect(cache.count == 1)
    }

    @Test("headers differing in one byte each get their own parse")
    func oneByteApart() throws {
        let cache = JOSEHeaderCache()
        let one = try header(cache, #"{"alg":"RS256","kid":"key-1"}"#)
        let two = try header(cache, #"{"alg":"RS256","kid":"key-2"}"#)
        let three = try header(cache, #"{"alg":"ES256","kid":"key-1"}"#)
        #expect(one.keyID == "key-1" && one.algorithm == "RS256")
        #expect(two.keyID == "key-2" && two.algorithm == "RS256")
        #expect(three.keyID == "key-1" && three.algorithm == "ES256")
        #expect(cache.count == 3)
    }

    @Test("a refused header is refused every time and never kept", arguments: [
        #"{"kid":"key-1"}"#,  // no alg
        #"{"alg":"RS256","crit":["exp"]}"#,  // crit names an extension we do not implement
        #"{"alg":"RS256","alg":"none"}"#,  // duplicate member
    ])
    func refusedHeader(_ json: String) throws {
        let cache = JOSEHeaderCache()
        for _ in 0..<2 {
            #expect(errorCode { try header(cache, json) } != nil)
        }
        #expect(cache.count == 0)
    }

    @Test("a header longer than the cache takes is parsed every time and never kept")
    func longHeader() throws {
        let cache = JOSEHeaderCache()
        let kid = String(repeating: "k", count: JOSEHeaderCache.maximumTextBytes)
        let parsed = try header(cache, #"{"alg":"RS256","kid":"\#(kid)"}"#)
        #expect(parsed.keyID == kid)
        #expect(cache.count == 0)
    }

    @Test("more distinct headers than its capacity replace older entries; each is still read correctly")
    func boundedSize() throws {
        let cache = JOSEHeaderCache()
        for round in 0..<2 {
            for index in 0..<(JOSEHeaderCache.capacity * 3) {
                let parsed = try header(cache, #"{"alg":"RS256","kid":"key-\#(index)"}"#)
                #expect(parsed.keyID == "key-\(index)", "round \(round)")
            }
        }
        #expect(cache.count == JOSEHeaderCache.capacity)
    }
}
