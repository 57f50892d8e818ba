/// Compact, deterministic JSON text for a `JSONValue`: the inverse of `JSONValue.parse`.
///
/// `JSONValue.object` is a dictionary and keeps no order, so members are written sorted by name
/// (by code point, which for UTF-8 is byte order). That makes the output a function of the value
/// alone: the same JWK always has the same bytes, which is exactly what an RFC 7638 thumbprint
/// needs (required members, sorted, no whitespace). Where the order is chosen by the writer (a
/// JWS header, `alg` first), `serializedObject(_:)` takes the members as an ordered list.
extension JSONValue {
    /// The value as compact JSON text (no whitespace, members sorted by name, UTF-8).
    ///
    /// Throws `malformed` when a `.number` holds text that is not a JSON number: writing it as it
    /// is would produce a document no parser accepts, or one that means something else.
    public func serialized() throws(JOSEError) -> [UInt8] {
        var writer = JSONTextWriter()
        try writer.write(self)
        return writer.bytes
    }

    /// An object written with its members in the given order. Repeated names are refused
    /// (`malformed`): our own parser refuses them, and so should every reader of what we write.
    public static func serializedObject(_ members: [(String, JSONValue)]) throws(JOSEError) -> [UInt8] {
        var writer = JSONTextWriter()
        try writer.writeObject(members)
        return writer.bytes
    }

    /// A number from an integer, written exactly (no Double in between).
    public static func integer(_ value: Int64) -> JSONValue {
        .number(String(value))
    }
}

/// Appends JSON text to a byte buffer. Internal: only the `JSONValue` extension drives it.
struct JSONTextWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: JSONValue) throws(JOSEError) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            guard Self.isJSONNumber(text) else { throw .malformed("JSON number text is not a JSON number") }
            bytes.append(contentsOf: text.utf8)
        case .string(let text): writeString(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            try writeObject(sorted.map { ($0.key, $0.value) })
        }
    }

    mutating func writeObject(_ members: [(String, JSONValue)]) throws(JOSEError) {
        var seen: Set<String> = []
        bytes.append(UInt8(ascii: "{"))
        for (index, (name, value)) in members.enumerated() {
            guard seen.insert(name).inserted else { throw .malformed("JSON object would repeat the member name \(name)") }
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(name)
            bytes.append(UInt8(ascii: ":"))
            try write(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A string with the escapes RFC 8259 section 7 requires (quote, backslash, controls) and no
    /// others: non-ASCII text stays UTF-8, and `/` is not escaped.
    private mutating func writeString(_ text: String) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether `text` is exactly one JSON number, by the same grammar the parser applies.
    private static func isJSONNumber(_ text: String) -> Bool {
        // The parser skips surrounding whitespace, so " 1" parses to .number("1") and is refused here.
        return (try? JSONValue.parse(Array(text.utf8))) == .number(text)
    }
}
