import Testing
@testable import JSON

/// The configuration file's reading of JSON (it was a parser of its own): every refusal says
/// what was expected and where, by line and column, and objects keep their document order.
@Suite struct JSONErrorLocationTests {
    /// The options the configuration file is read with (Gatehouse's `JSONParseOptions.configuration`).
    static let configuration = JSONParseOptions(maximumDepth: 64, keepsMemberOrder: true, allowsByteOrderMark: true)

    struct Accepted: Sendable, CustomTestStringConvertible {
        let text: String
        let value: JSONValue
        let reason: String
        var testDescription: String { reason }
    }

    static let accepted: [Accepted] = [
        .init(text: "true", value: .bool(true), reason: "booleans stay booleans, unlike NSNumber"),
        .init(text: " null ", value: .null, reason: "surrounding whitespace"),
        .init(text: "-0", value: .number("-0"), reason: "negative zero keeps its text"),
        .init(text: "1.50e+3", value: .number("1.50e+3"), reason: "numbers keep their literal text"),
        .init(text: #""a\"\\\/\b\f\n\r\t""#, value: .string("a\"\\/\u{8}\u{C}\n\r\t"), reason: "every one-letter escape"),
        .init(text: #""\u00e9\u20AC""#, value: .string("é€"), reason: "\\u escapes, either case"),
        .init(text: #""\ud83d\ude00""#, value: .string("😀"), reason: "a surrogate pair is one scalar"),
        .init(text: "\"😀\"", value: .string("😀"), reason: "raw UTF-8"),
        .init(text: "\u{FEFF}{}", value: .orderedObject([]), reason: "a leading byte order mark is ignored"),
        .init(text: #"{"b": 1, "a": [2, {}]}"#,
              value: .orderedObject([JSONObjectMember(name: "b", value: .number("1")), JSONObjectMember(name: "a", value: .array([.number("2"), .orderedObject([])]))]),
              reason: "members keep document order, nested objects too"),
    ]

    @Test(arguments: accepted)
    func parses(_ row: Accepted) throws {
        #expect(try JSONValue.parse(Array(row.text.utf8), options: Self.configuration) == row.value, "\(row.reason)")
    }

    struct Rejected: Sendable, CustomTestStringConvertible {
        let bytes: [UInt8]
        let line: Int
        let column: Int
        let message: String
        let reason: String
        var testDescription: String { reason }

        init(_ text: String, line: Int = 1, column: Int, _ message: String, reason: String) {
            self.init(bytes: Array(text.utf8), line: line, column: column, message, reason: reason)
        }

        init(bytes: [UInt8], line: Int = 1, column: Int, _ message: String, reason: String) {
            self.bytes = bytes
            self.line = line
            self.column = column
            self.message = message
            self.reason = reason
        }
    }

    static let rejected: [Rejected] = [
        .init("tru", column: 1, "invalid literal; expected true", reason: "truncated literal"),
        .init("nul!", column: 1, "invalid literal; expected null", reason: "misspelt literal, reported where it starts"),
        .init("01", column: 2, "numbers must not have leading zeros", reason: "leading zero"),
        .init("-", column: 2, "expected a digit in a number", reason: "lone minus"),
        .init("1.", column: 3, "expected a digit after the decimal point", reason: "bare decimal point"),
        .init("1e", column: 3, "expected a digit in the exponent", reason: "empty exponent"),
        .init("+1", column: 1, "unexpected character '+'; expected a value", reason: "plus sign"),
        .init("NaN", column: 1, "unexpected character 'N'; expected a value", reason: "NaN is not JSON"),
        .init(#""abc"#, column: 1, "unterminated string", reason: "unterminated string points at its start"),
        .init(#"["abc\""#, column: 2, "unterminated string", reason: "a string ending in an escaped quote is unterminated too"),
        .init(#""ab\"#, column: 5, "unterminated escape sequence", reason: "the text ends after a backslash"),
        .init("\"a\tb\"", column: 3, "control character 0x09 in a string must be escaped", reason: "raw tab"),
        .init("\"a\\n\tb\"", column: 5, "control character 0x09 in a string must be escaped", reason: "raw tab after an escape"),
        .init(#""\x""#, column: 3, "invalid escape sequence \\x", reason: "unknown escape"),
        .init(#""\u12""#, column: 6, "\\u must be followed by four hexadecimal digits", reason: "short \\u"),
        .init(#""\ud83d""#, column: 8, "high surrogate \\uD83D is not followed by a low surrogate", reason: "lone high surrogate"),
        .init(#""\ude00""#, column: 8, "lone low surrogate \\uDE00", reason: "lone low surrogate"),
        .init(#""\ud83d\u0041""#, column: 14, "high surrogate \\uD83D is followed by \\u0041, not a low surrogate", reason: "high surrogate then non-surrogate"),
        .init(bytes: [0x22, 0xC3, 0x28, 0x22], column: 1, "string is not valid UTF-8", reason: "invalid UTF-8 is refused, not replaced"),
        .init(bytes: Array(#"["a", "b\n"#.utf8) + [0xFF] + Array(#"c"]"#.utf8), column: 7, "string is not valid UTF-8", reason: "invalid UTF-8 after an escape, at the string's start"),
        .init("[1 2]", column: 4, "expected ',' or ']' after an array element", reason: "missing comma"),
        .init("[1,]", column: 4, "unexpected character ']'; expected a value", reason: "trailing comma in an array"),
        .init("{\"a\" 1}", column: 6, "expected ':' after an object key", reason: "missing colon"),
        .init("{'a': 1}", column: 2, "expected a string key in double quotes", reason: "single quotes"),
        .init("{\"a\": 1,}", column: 9, "expected a string key in double quotes", reason: "trailing comma in an object"),
        .init("{\"a\": 1 \"b\": 2}", column: 9, "expected ',' or '}' after an object member", reason: "missing comma between members"),
        .init("{} {}", column: 4, "unexpected text after the end of the document", reason: "two documents"),
        .init("[", column: 2, "unexpected end of input; expected a value", reason: "unterminated array"),
        .init("[1", column: 3, "unexpected end of input; expected ',' or ']'", reason: "array ends after an element"),
        .init("{\"a\": 1", column: 8, "unexpected end of input; expected ',' or '}'", reason: "unterminated object"),
        .init("{\n\"a\": 1,\n\"a\": 2}", line: 3, column: 1, "duplicate key \"a\" in one object", reason: "duplicate keys, at the second"),
        .init("{\"k\\u0061\": 1, \"ka\": 2}", column: 16, "duplicate key \"ka\" in one object", reason: "a duplicate written once with an escape"),
        .init("{\"é\": [1,\n  2,\n  \"x\" \"y\"]}", line: 3, column: 7, "expected ',' or ']' after an array element", reason: "the line and column of a fault deep in the text"),
        .init("{\"é€😀\": tru}", column: 9, "invalid literal; expected true", reason: "columns count characters, not UTF-8 bytes"),
        .init("{\r\n\"a\": x}", line: 2, column: 6, "unexpected character 'x'; expected a value", reason: "CRLF line ends: the CR is the old line's last column"),
        .init("\u{FEFF}[x]", column: 2, "unexpected character 'x'; expected a value", reason: "columns count from after a byte order mark"),
        .init(String(repeating: "[", count: 65), column: 65, "nesting deeper than 64 levels", reason: "deep nesting cannot exhaust the stack"),
        .init(String(repeating: "[", count: 100_000), column: 65, "nesting deeper than 64 levels", reason: "hostile nesting stops early"),
    ]

    @Test(arguments: rejected)
    func refuses(_ row: Rejected) {
        do {
            let value = try JSONValue.parse(row.bytes, options: Self.configuration)
            Issue.record("accepted as \(value): \(row.reason)")
        } catch {
            #expect(error.message == row.message, "\(row.reason)")
            #expect(error.location?.line == row.line, "line: \(row.reason)")
            #expect(error.location?.column == row.column, "column: \(row.reason)")
            #expect(error.description == "invalid JSON at line \(row.line), column \(row.column): \(row.message)", "\(row.reason)")
        }
    }

    /// JOSE's reading (the default options) refuses the same texts with the same messages,
    /// except where the options differ: the byte order mark and the depth.
    @Test(arguments: rejected.filter { !$0.bytes.starts(with: [0xEF, 0xBB, 0xBF]) && !$0.message.hasPrefix("nesting") })
    func defaultOptionsAgree(_ row: Rejected) {
        do {
            _ = try JSONValue.parse(row.bytes)
            Issue.record("accepted: \(row.reason)")
        } catch {
            #expect(error.message == row.message && error.location?.line == row.line && error.location?.column == row.column, "\(row.reason)")
        }
    }

    @Test func offsetCountsBytesFromTheInputsStart() {
        #expect(throws: JSONError(code: .invalidLiteral, message: "invalid literal; expected true", location: .init(offset: 9, line: 1, column: 6))) {
            try JSONValue.parse(Array("\u{FEFF}[\"é\",t]".utf8), options: Self.configuration)
        }
        #expect(throws: JSONError(code: .duplicateMemberName, message: "duplicate key \"a\" in one object", location: .init(offset: 10, line: 2, column: 3))) {
            try JSONValue.parse(Array("{\"a\":1,\n  \"a\":2}".utf8))
        }
    }

    @Test func aLongDuplicateNameIsCutInTheMessage() throws {
        let name = String(repeating: "n", count: 100)
        let text = "{\"\(name)\":1,\"\(name)\":2}"
        let error = try #require(throws: JSONError.self) { try JSONValue.parse(Array(text.utf8)) }
        #expect(error.message == "duplicate key \"\(String(repeating: "n", count: 80))…\" in one object")
    }

    @Test func theDefaultsRefuseAByteOrderMarkAndKeepNoOrder() throws {
        #expect(throws: JSONError(code: .unexpectedCharacter, message: "unexpected character 0xEF; expected a value", location: .init(offset: 0, line: 1, column: 1))) {
            try JSONValue.parse(Array("\u{FEFF}{}".utf8))
        }
        #expect(try JSONValue.parse(Array(#"{"b":1,"a":2}"#.utf8)) == .object(["b": .number("1"), "a": .number("2")]))
        let ordered = try JSONValue.parse(Array(#"{"b":1,"a":2}"#.utf8), options: Self.configuration)
        #expect(ordered == .orderedObject([JSONObjectMember(name: "b", value: .number("1")), JSONObjectMember(name: "a", value: .number("2"))]))
        #expect(ordered.objectValue == ["b": .number("1"), "a": .number("2")], "objectValue reads either form")
        #expect(ordered.kindDescription == "an object")
    }

    @Test func orderedObjectsWriteInTheirOwnOrder() throws {
        let ordered = try JSONValue.parse(Array(#"{"b":1,"a":{"z":true,"y":null}}"#.utf8), options: Self.configuration)
        #expect(String(decoding: try ordered.serialized(), as: UTF8.self) == #"{"b":1,"a":{"z":true,"y":null}}"#)
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        for options in [Self.configuration, JSONParseOptions()] {
            let depth = options.maximumDepth
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            _ = try JSONValue.parse(Array(text.utf8), options: options)
            let deeper = "[" + text + "]"
            #expect(throws: JSONError.self) { try JSONValue.parse(Array(deeper.utf8), options: options) }
        }
    }
}
