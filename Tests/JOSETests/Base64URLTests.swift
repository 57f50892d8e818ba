import Testing
@testable import JOSE

@Suite("Base64url")
struct Base64URLTests {
    @Test("RFC 4648 test vectors round-trip, unpadded", arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func vectors(_ plain: String, _ encoded: String) throws {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("the URL-safe alphabet is used both ways")
    func urlSafeAlphabet() throws {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64URL.encode(bytes) == "-_-_")
        #expect(try Base64URL.decode("-_-_") == bytes)
    }

    @Test("every byte value round-trips at every length mod 3")
    func roundTrip() throws {
        let all = (0...255).map { UInt8($0) }
        for length in [253, 254, 255, 256] {
            let bytes = Array(all.prefix(length))
            #expect(try Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    /// Full groups are decoded through one table per position in the group: every byte value is
    /// tried in each of the four positions, against the alphabet's own definition.
    @Test("every byte in every position of a full group decodes to its alphabet value or is refused")
    func everyByteInEveryPosition() throws {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for position in 0..<4 {
            for byte in 0...255 {
                var group = Array("AAAA".utf8)
                group[position] = UInt8(byte)
                if let value = alphabet.firstIndex(of: UInt8(byte)) {
                    let bits = UInt32(value) << (18 - 6 * position)
                    let expected = [UInt8(bits >> 16), UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits)]
                    #expect(try Base64URL.decode(group) == expected, "byte \(byte) at position \(position)")
                } else {
                    #expect(errorCode { try Base64URL.decode(group) } == .malformed, "byte \(byte) at position \(position)")
                }
            }
        }
    }

    @Test("non-canonical or foreign text is refused", arguments: [
        ("Zg==", "padding"),
        ("Zm8=", "padding"),
        ("Zm9v\n", "trailing newline"),
        (" Zm9v", "leading space"),
        ("Zm 9v", "inner space"),
        ("Zm9v\t", "tab"),
        ("+/+/", "standard alphabet, not URL-safe"),
        ("Zm9v*", "character outside any alphabet"),
        ("Z", "length 1 mod 4 cannot encode anything"),
        ("Zh", "non-zero trailing bits (canonical is Zg)"),
        ("Zm9", "non-zero trailing bits (canonical is Zm8)"),
        ("Zm9vYmF\u{00E9}", "non-ASCII"),
    ])
    func refused(_ text: String, _ reason: String) {
        #expect(errorCode { try Base64URL.decode(text) } == .malformed, "\(reason)")
    }
}

@Suite("Compact JWS parsing")
struct CompactParsingTests {
    static let header = encodedHeader("{\"alg\":\"ES256\",\"kid\":\"k\",\"typ\":\"JWT\"}")
    static let payload = Base64URL.encode(Array("{}".utf8))
    static let signature = Base64URL.encode([UInt8](repeating: 1, count: 64))

    @Test("a well-formed token parses into its header")
    func parses() throws {
        let jws = try UnverifiedJWS.parse("\(Self.header).\(Self.payload).\(Self.signature)")
        #expect(jws.header.algorithm == "ES256")
        #expect(jws.header.keyID == "k")
        #expect(jws.header.type == "JWT")
        #expect(jws.signature.count == 64)
        #expect(jws.signingInput == Array("\(Self.header).\(Self.payload)".utf8))
    }

    @Test("structural faults are refused as malformed", arguments: [
        ("\(header).\(payload)", "two segments"),
        ("\(header).\(payload).\(signature).x", "four segments"),
        ("\(header).a.b.c.d", "five segments (a JWE)"),
        ("", "empty"),
        ("..", "empty segments"),
        (".\(payload).\(signature)", "empty header"),
        ("\(header)=.\(payload).\(signature)", "padding in the header"),
        ("\(header).\(payload).\(signature)=", "padding in the signature"),
        ("\(header).\(payload).\(signature) ", "trailing space"),
        (" \(header).\(payload).\(signature)", "leading space"),
        ("\(header).\(payload)\n.\(signature)", "newline inside"),
        ("\(encodedHeader("[\"alg\",\"ES256\"]")).\(payload).\(signature)", "header is an array"),
        ("\(encodedHeader("\"ES256\"")).\(payload).\(signature)", "header is a string"),
        ("\(encodedHeader("{\"alg\":\"ES256\"")).\(payload).\(signature)", "header JSON not closed"),
        ("\(encodedHeader("{\"alg\":\"ES256\"} x")).\(payload).\(signature)", "trailing bytes after header JSON"),
        ("\(encodedHeader("{}")).\(payload).\(signature)", "no alg"),
        ("\(encodedHeader("{\"alg\":256}")).\(payload).\(signature)", "alg is a number"),
        ("\(encodedHeader("{\"alg\":null}")).\(payload).\(signature)", "alg is null"),
        ("\(encodedHeader("{\"alg\":\"ES256\",\"typ\":1}")).\(payload).\(signature)", "typ is a number"),
        ("\(Base64URL.encode([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])).\(payload).\(signature)", "header is not UTF-8"),
    ])
    func malformed(_ token: String, _ reason: String) {
        #expect(errorCode { try UnverifiedJWS.parse(token) } == .malformed, "\(reason)")
    }

    @Test("a token over the size cap is refused before it is decoded")
    func oversized() {
        let big = Base64URL.encode([UInt8](repeating: 0x41, count: 70_000))
        #expect(errorCode { try UnverifiedJWS.parse("\(Self.header).\(big).\(Self.signature)") } == .tooLarge)
        let token = "\(Self.header).\(Self.payload).\(Self.signature)"
        #expect(errorCode { try UnverifiedJWS.parse(token, maxBytes: token.utf8.count - 1) } == .tooLarge)
        #expect(errorCode { try UnverifiedJWS.parse(token, maxBytes: token.utf8.count) } == nil)
        #expect(errorCode { try UnverifiedJWS.parse(bytes: Array(token.utf8), maxBytes: 10) } == .tooLarge)
        // The StringProtocol entry point keeps the same cap as the String one.
        let line = "Bearer \(token)"
        #expect(errorCode { try UnverifiedJWS.parse(line.dropFirst(7), maxBytes: token.utf8.count - 1) } == .tooLarge)
        #expect(errorCode { try UnverifiedJWS.parse(line.dropFirst(7), maxBytes: token.utf8.count) } == nil)
    }

    @Test("a Substring token parses the same as a String")
    func substring() throws {
        let line = "Bearer \(Self.header).\(Self.payload).\(Self.signature)"
        let jws = try UnverifiedJWS.parse(line.dropFirst(7))
        #expect(jws.header.keyID == "k")
    }
}

@Suite("Base64url decoding into a caller's buffer")
struct Base64URLIntoBufferTests {
    @Test("decode(_:into:) writes what decode(_:) returns, and refuses what it refuses", arguments: [
        ("", "empty"), ("QQ", "one byte"), ("QUI", "two bytes"), ("QUJD", "one full group"),
        ("eyJhbGciOiJSUzI1NiJ9", "a header"), ("QR", "non-zero trailing bits"), ("QUJ", "non-zero trailing bits after two bytes"),
        ("Q", "impossible length"), ("QUJD=", "padding"), ("QU+D", "standard alphabet"), ("QU D", "a space"),
        ("QUJDRA", "a group and a remainder"), ("QUJDR", "impossible length after a group"),
    ])
    func agrees(_ text: String, _ reason: String) {
        let encoded = Array(text.utf8)
        let expected = Result { () throws(JOSEError) -> [UInt8] in try Base64URL.decode(encoded) }
        let got = encoded.withUnsafeBufferPointer { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Base64URL.decodedCount(input.count)) { buffer in
                Result { () throws(JOSEError) -> [UInt8] in
                    let count = try Base64URL.decode(input, into: buffer)
                    return Array(buffer[0..<count])
                }
            }
        }
        switch (expected, got) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(reason)")
        case (.failure(let a), .failure(let b)): #expect(a.code == b.code && a.message == b.message, "\(reason)")
        default: Issue.record("decode and decode(_:into:) disagree: \(reason)")
        }
    }

    @Test("every length round-trips, through the two-group and the one-group loops alike")
    func roundTrips() throws {
        for length in 0...64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ length &* 11 &+ 5) }
            #expect(try Base64URL.decode(Array(Base64URL.encode(bytes).utf8)) == bytes, "\(length) bytes")
        }
    }

    @Test("a character outside the alphabet is refused at every position of every length")
    func badCharacterAnywhere() {
        for length in 1...40 {
            let encoded = Array(Base64URL.encode((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 29) }).utf8)
            for position in encoded.indices {
                for bad in [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "/"), 0x00, 0x80, 0xFF] {
                    var text = encoded
                    text[position] = bad
                    #expect(errorCode { try Base64URL.decode(text) } == .malformed, "\(bad) at \(position) of \(encoded.count)")
                }
            }
        }
    }

    @Test("a buffer too small is refused, never written past")
    func tooSmall() {
        let encoded = Array("QUJDRA".utf8)
        let code = encoded.withUnsafeBufferPointer { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3) { buffer in
                errorCode { try Base64URL.decode(input, into: buffer) }
            }
        }
        #expect(code == .internalFailure)
    }
}
