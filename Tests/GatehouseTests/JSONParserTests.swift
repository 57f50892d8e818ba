import Testing
@testable import Gatehouse

@Suite struct JSONParserTests {
    struct Accepted: Sendable, CustomTestStringConvertible {
        let text: String
        let value: ConfigJSON
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
        .init(text: "\u{FEFF}{}", value: .object([]), reason: "a leading byte order mark is ignored"),
        .init(text: #"{"b": 1, "a": [2, {}]}"#,
              value: .object([JSONMember(key: "b", value: .number("1")), JSONMember(key: "a", value: .array([.number("2"), .object([])]))]),
              reason: "members keep document order"),
    ]

    @Test(arguments: accepted)
    func parses(_ row: Accepted) throws {
        #expect(try JSONParser.parse(Array(row.text.utf8)) == row.value, "\(row.reason)")
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
        .init("01", column: 2, "numbers must not have leading zeros", reason: "leading zero"),
        .init("1.", column: 3, "expected a digit after the decimal point", reason: "bare decimal point"),
        .init("1e", column: 3, "expected a digit in the exponent", reason: "empty exponent"),
        .init("+1", column: 1, "unexpected character '+'; expected a value", reason: "plus sign"),
        .init("NaN", column: 1, "unexpected character 'N'; expected a value", reason: "NaN is not JSON"),
        .init(#""abc"#, column: 1, "unterminated string", reason: "unterminated string points at its start"),
        .init("\"a\tb\"", column: 3, "control character 0x09 in a string must be escaped", reason: "raw tab"),
        .init(#""\x""#, column: 3, "invalid escape sequence \\x", reason: "unknown escape"),
        .init(#""\u12""#, column: 6, "\\u must be followed by four hexadecimal digits", reason: "short \\u"),
        .init(#""\ud83d""#, column: 8, "high surrogate \\uD83D is not followed by a low surrogate", reason: "lone high surrogate"),
        .init(#""\ude00""#, column: 8, "lone low surrogate \\uDE00", reason: "lone low surrogate"),
        .init(#""\ud83d\u0041""#, column: 14, "high surrogate \\uD83D is followed by \\u0041, not a low surrogate", reason: "high surrogate then non-surrogate"),
        .init(bytes: [0x22, 0xC3, 0x28, 0x22], column: 1, "string is not valid UTF-8", reason: "invalid UTF-8 is refused, not replaced"),
        .init("[1 2]", column: 4, "expected ',' or ']' after an array element", reason: "missing comma"),
        .init("[1,]", column: 4, "unexpected character ']'; expected a value", reason: "trailing comma in an array"),
        .init("{\"a\" 1}", column: 6, "expected ':' after an object key", reason: "missing colon"),
        .init("{'a': 1}", column: 2, "expected a string key in double quotes", reason: "single quotes"),
        .init("{} {}", column: 4, "unexpected text after the end of the document", reason: "two documents"),
        .init("[", column: 2, "unexpected end of input; expected a value", reason: "unterminated array"),
        .init("{\"a\": 1", column: 8, "unexpected end of input; expected ',' or '}'", reason: "unterminated object"),
        .init("{\n\"a\": 1,\n\"a\": 2}", line: 3, column: 1, "duplicate key \"a\" in one object", reason: "duplicate keys, at the second"),
        .init(String(repeating: "[", count: 65), column: 65, "nesting deeper than 64 levels", reason: "deep nesting cannot exhaust the stack"),
        .init(String(repeating: "[", count: 100_000), column: 65, "nesting deeper than 64 levels", reason: "hostile nesting stops early"),
    ]

    @Test(arguments: rejected)
    func refuses(_ row: Rejected) {
        #expect(throws: JSONSyntaxError(line: row.line, column: row.column, message: row.message), "\(row.reason)") {
            try JSONParser.parse(row.bytes)
        }
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try JSONParser.parse(Array(text.utf8))
    }
}
