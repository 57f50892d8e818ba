/// Why percent-decoding failed.
public struct PercentDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A `%` not followed by two hexadecimal digits.
        public static let invalidEscape = Code(rawValue: "invalid_escape")
        /// The decoded bytes are not valid UTF-8.
        public static let invalidUTF8 = Code(rawValue: "invalid_utf8")
    }

    public let code: Code
    /// The UTF-8 offset of the offending `%` (for `invalidEscape`).
    public let offset: Int?

    public var description: String {
        "PercentDecodingError(\(code)\(offset.map { " at \($0)" } ?? ""))"
    }
}

/// Strict percent-decoding (RFC 3986 section 2.1).
///
/// Strict, because lenient decoders disagree on `%zz` or a trailing `%`, and a proxy and a
/// server that disagree on what a path means is how filters are bypassed. Decoded bytes must
/// form valid UTF-8, so every value a handler sees is a real string.
public enum PercentDecoding {
    /// Decodes `text`. With `plusAsSpace`, `+` means space, as in query strings and
    /// `application/x-www-form-urlencoded`; in path segments `+` is literal.
    public static func decode(_ text: Substring, plusAsSpace: Bool = false) throws(PercentDecodingError) -> String {
        let utf8 = text.utf8
        // Fast path: nothing to decode, and a Swift string is already valid UTF-8.
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(text)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        var offset = 0
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex, let high = hexValue(utf8[first]) else {
                    throw PercentDecodingError(code: .invalidEscape, offset: offset)
                }
                let second = utf8.index(after: first)
                guard second != utf8.endIndex, let low = hexValue(utf8[second]) else {
                    throw PercentDecodingError(code: .invalidEscape, offset: offset)
                }
                bytes.append(high << 4 | low)
                index = utf8.index(after: second)
                offset += 3
            } else {
                bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
                offset += 1
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PercentDecodingError(code: .invalidUTF8, offset: nil)
        }
        return decoded
    }

    public static func decode(_ text: String, plusAsSpace: Bool = false) throws(PercentDecodingError) -> String {
        try decode(text[...], plusAsSpace: plusAsSpace)
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
