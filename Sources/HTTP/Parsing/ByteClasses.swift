/// The byte classes of RFC 9110 and RFC 9112 that the request parser needs.
///
/// Each predicate is a `switch` over byte ranges, which the optimizer turns into a few
/// comparisons, so the parser can test every byte of a head without tables or Strings.
enum ByteClass {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let equals: UInt8 = 0x3D
    static let slash: UInt8 = 0x2F
    static let asterisk: UInt8 = 0x2A
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    /// RFC 9110 5.6.2 `tchar`: the characters of a method, a field name or a coding name:
    /// `!#$%&'*+-.^_`|~`, digits and letters.
    ///
    /// A bitmap of the 128 ASCII codes (bit n of `tokenCharsLow` is byte n, bit n of
    /// `tokenCharsHigh` is byte 64 + n) tests a byte without branching on which class it is in;
    /// the tests check both words against the list above.
    @inline(__always)
    static func isTokenChar(_ byte: UInt8) -> Bool {
        let bits = byte < 64 ? tokenCharsLow : tokenCharsHigh
        return byte < 128 && (bits >> UInt64(byte & 63)) & 1 == 1
    }

    static let tokenCharsLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenCharsHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// RFC 9110 5.5 field content: HTAB, SP, VCHAR and obs-text (0x80-0xFF).
    /// Everything else (NUL, CR, LF, the other controls and DEL) is refused.
    @inline(__always)
    static func isFieldValueChar(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// OWS / BWS: optional whitespace is spaces and horizontal tabs only.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// A byte allowed in a request-target: visible ASCII except `#`.
    ///
    /// Controls, space, DEL and non-ASCII bytes are refused, and so is `#` because a fragment
    /// is never sent (RFC 9112 3.2). Other visible characters that RFC 3986 would have encoded
    /// (`[`, `|`, `{`, ...) are let through: browsers send some of them raw in queries, and the
    /// router's percent-decoding is the place that judges what a path may contain.
    @inline(__always)
    static func isTargetChar(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#")
    }

    /// A byte of a `Host` value: RFC 3986 reg-name, IP-literal and port characters
    /// (unreserved, sub-delims, `%`, `:`, `[`, `]`). Anything else, such as `/`, `@` or space,
    /// cannot be part of `uri-host [ ":" port ]`.
    @inline(__always)
    static func isHostChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
             UInt8(ascii: "%"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// ASCII lower-casing of one byte; other bytes are returned unchanged.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
    }

    /// Whether `bytes` equals `lowercaseLiteral` ignoring ASCII case.
    /// `lowercaseLiteral` must already be lower case.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseLiteral: StaticString) -> Bool {
        guard bytes.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        let literal = lowercaseLiteral.utf8Start
        for index in 0..<bytes.count where lowercased(bytes[index]) != literal[index] {
            return false
        }
        return true
    }
}

/// Tests on eight bytes at once ("SWAR"), for the long runs of ordinary bytes in a head.
/// Each answers "does any byte of the word ...", exactly (no false positives for the word as a
/// whole), following the `hasless` trick of Sean Anderson's Bit Twiddling Hacks.
enum WordScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte is below `limit` (`limit` at most 128); bytes of 0x80 and above never count.
    @inline(__always)
    static func hasByte(below limit: UInt8, in word: UInt64) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highBits != 0
    }

    /// Whether any byte cannot appear in a field value unchecked: a control (below 0x20, tab
    /// included, so that the byte-wise loop judges it) or DEL.
    @inline(__always)
    static func hasControlByte(_ word: UInt64) -> Bool {
        hasByte(below: 0x20, in: word) || hasByte(below: 1, in: word ^ (ones &* 0x7F))
    }

    /// Whether any byte is 0x80 or above (obs-text).
    @inline(__always)
    static func hasNonASCII(_ word: UInt64) -> Bool {
        word & highBits != 0
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Eight bytes from `offset`, which the caller keeps at least 8 bytes before the end.
    @inline(__always)
    func loadWord(at offset: Int) -> UInt64 {
        assert(offset >= 0 && offset + 8 <= count)
        // A buffer of at least 8 bytes always has a base address.
        return UnsafeRawPointer(baseAddress.unsafelyUnwrapped).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// The sub-buffer `range`, without copying.
    @inline(__always)
    func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: self[range])
    }

    /// This buffer without leading and trailing OWS (spaces and tabs).
    func trimmingWhitespace() -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = count
        while start < end, ByteClass.isWhitespace(self[start]) { start += 1 }
        while end > start, ByteClass.isWhitespace(self[end - 1]) { end -= 1 }
        return slice(start..<end)
    }
}
