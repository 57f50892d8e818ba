/// One field line of a header or trailer section (RFC 9112 section 5), checked and turned into Strings.
struct FieldLine {
    var name: String
    var value: String
    /// Set when the name is one the framing rules must see.
    var knownName: KnownFieldName?
    /// Where the trimmed value lies within the line, so framing can read the bytes, not the String.
    var valueRange: Range<Int>

    /// Parses `field-name ":" OWS field-value OWS`, without its CRLF. `line` is never empty.
    ///
    /// Refused with 400: a line starting with SP or HTAB (obs-fold, or whitespace before the first
    /// field), whitespace between the name and the colon (RFC 9112 5.1 MUST), a name that is not a
    /// token, and a value byte outside VCHAR / obs-text / SP / HTAB.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> FieldLine {
        let count = line.count
        if ByteClass.isWhitespace(line[0]) {
            throw .badRequest("obsolete line folding or leading whitespace in field line")
        }
        var nameEnd = 0
        while nameEnd < count, ByteClass.isTokenChar(line[nameEnd]) { nameEnd += 1 }
        guard nameEnd < count else { throw .badRequest("field line without colon") }
        guard line[nameEnd] == ByteClass.colon else {
            if ByteClass.isWhitespace(line[nameEnd]) {
                throw .badRequest("whitespace between field name and colon")
            }
            throw .badRequest("invalid character in field name")
        }
        guard nameEnd > 0 else { throw .badRequest("empty field name") }

        var valueStart = nameEnd + 1
        var valueEnd = count
        while valueStart < valueEnd, ByteClass.isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, ByteClass.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }

        // Eight bytes at a time while no byte needs a closer look, then byte by byte.
        var hasNonASCII = false
        var index = valueStart
        while index + 8 <= valueEnd {
            let word = line.loadWord(at: index)
            if WordScan.hasControlByte(word) { break }
            if WordScan.hasNonASCII(word) { hasNonASCII = true }
            index += 8
        }
        while index < valueEnd {
            let byte = line[index]
            guard ByteClass.isFieldValueChar(byte) else {
                throw .badRequest("invalid character in field value")
            }
            if byte >= 0x80 { hasNonASCII = true }
            index += 1
        }

        let nameBytes = line.slice(0..<nameEnd)
        let valueBytes = line.slice(valueStart..<valueEnd)
        return FieldLine(
            name: String(decoding: nameBytes, as: UTF8.self),
            value: decodeValue(valueBytes, hasNonASCII: hasNonASCII),
            knownName: KnownFieldName(nameBytes),
            valueRange: valueStart..<valueEnd
        )
    }

    /// Field values are bytes; handlers want Strings. ASCII (nearly every value) is taken as is.
    /// A value with obs-text is decoded as UTF-8 when it is valid UTF-8 (what current clients
    /// send), and otherwise mapped byte for byte to ISO-8859-1 (the historical charset of HTTP,
    /// RFC 9110 5.5), which never fails and never merges two different byte strings.
    static func decodeValue(_ bytes: UnsafeBufferPointer<UInt8>, hasNonASCII: Bool) -> String {
        if !hasNonASCII { return String(decoding: bytes, as: UTF8.self) }
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        var latin1 = String()
        latin1.unicodeScalars.append(contentsOf: bytes.lazy.map { Unicode.Scalar($0) })
        return latin1
    }
}

/// Field names that decide how a request is framed or answered.
enum KnownFieldName: Sendable {
    case host, contentLength, transferEncoding, expect

    /// Recognizes a name ignoring ASCII case; the length test first keeps this cheap for the
    /// great majority of fields, which are none of these.
    init?(_ name: UnsafeBufferPointer<UInt8>) {
        switch name.count {
        case 4 where ByteClass.equalsIgnoringCase(name, "host"): self = .host
        case 6 where ByteClass.equalsIgnoringCase(name, "expect"): self = .expect
        case 14 where ByteClass.equalsIgnoringCase(name, "content-length"): self = .contentLength
        case 17 where ByteClass.equalsIgnoringCase(name, "transfer-encoding"): self = .transferEncoding
        default: return nil
        }
    }
}
