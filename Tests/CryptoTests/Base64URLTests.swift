import Testing
@testable import Crypto

/// Runs `body` and returns the base64url error code it threw, or nil when it did not throw.
/// (Untyped `throws` because closures inside `#expect` do not infer a typed one.)
func errorCode<T>(_ body: () throws -> T) -> Base64URLError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as Base64URLError {
        return error.code
    } catch {
        Issue.record("threw something other than Base64URLError: \(error)")
        return nil
    }
}

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
        let expected = Result { () throws(Base64URLError) -> [UInt8] in try Base64URL.decode(encoded) }
        let got = encoded.withUnsafeBufferPointer { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Base64URL.decodedCount(input.count)) { buffer in
                Result { () throws(Base64URLError) -> [UInt8] in
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
        #expect(code == .bufferTooSmall)
    }
}
