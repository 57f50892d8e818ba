/// Compact, deterministic JSON text for a `JSONValue`: the inverse of `JSONValue.parse`.
///
/// `JSONValue.object` is a dictionary and keeps no order, so members are written sorted by name
/// (by code point, which for UTF-8 is byte order). That makes the output a function of the value
/// alone: the same JWK always has the same bytes, which is exactly what an RFC 7638 thumbprint
/// needs (required members, sorted, no whitespace), and the same admin API answer always has the
/// same `ETag`. Where the order is chosen by the writer (a JWS header, `alg` first),
/// `serializedObject(_:)` takes the members as an ordered list, and `.orderedObject` keeps its own.
///
/// The bytes are those Foundation's `JSONEncoder` wrote with `.sortedKeys` and
/// `.withoutEscapingSlashes`, which the admin API used before: the same escapes (quote,
/// backslash, controls; `\n` `\r` `\t` `\b` `\f`, others as lower-case `\u00xx`), `/` and
/// non-ASCII text as they are, integers in decimal.
extension JSONValue {
    /// The value as compact JSON text (no whitespace, members sorted by name, UTF-8).
    ///
    /// Throws `invalidNumberText` when a `.number` holds text that is not a JSON number: writing
    /// it as it is would produce a document no parser accepts, or one that means something else.
    public func serialized() throws(JSONError) -> [UInt8] {
        var writer = JSONTextWriter()
        try writer.write(self)
        return writer.bytes
    }

    /// An object written with its members in the given order. Repeated names are refused
    /// (`duplicateMemberName`): our own parser refuses them, and so should every reader of what we write.
    public static func serializedObject(_ members: [(String, JSONValue)]) throws(JSONError) -> [UInt8] {
        var writer = JSONTextWriter()
        try writer.writeObject(members)
        return writer.bytes
    }

    /// A number from an integer, written exactly (no Double in between).
    public static func integer(_ value: Int64) -> JSONValue {
        .number(String(value))
    }

    /// A number from an `Int`, written exactly: `.int(count)` where a value is built.
    public static func int(_ value: Int) -> JSONValue {
        .number(String(value))
    }
}

/// Literals for values built in code (`["type": "integer", "minimum": 1]` in a schema).
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

/// Appends JSON text to a byte buffer. Internal: only the `JSONValue` extension drives it.
struct JSONTextWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: JSONValue) throws(JSONError) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            guard Self.isJSONNumber(text) else {
                throw JSONError(code: .invalidNumberText, message: "JSON number text is not a JSON number", location: nil)
            }
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
        case .orderedObject(let members):
            try writeObject(members.map { ($0.name, $0.value) })
        }
    }

    mutating func writeObject(_ members: [(String, JSONValue)]) throws(JSONError) {
        var seen: Set<String> = []
        bytes.append(UInt8(ascii: "{"))
        for (index, (name, value)) in members.enumerated() {
            guard seen.insert(name).inserted else {
                throw JSONError(code: .duplicateMemberName, message: "JSON object would repeat the member name \(name)", location: nil)
            }
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
