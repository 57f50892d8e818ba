import Testing
@testable import JSON

@Suite("Strict JSON")
struct JSONValueTests {
    @Test("values parse to what they say")
    func values() throws {
        let value = try JSONValue.parse(Array(#"{"a":[1,-2.5e3,true,false,null],"b":"x\"\u00e9\ud83d\ude00","c":{}}"#.utf8))
        let object = try #require(value.objectValue)
        #expect(object["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(object["b"] == .string("x\"\u{E9}\u{1F600}"))
        #expect(object["c"] == .object([:]))
        #expect(try JSONValue.parse(Array("9007199254740993".utf8)).int64Value == 9_007_199_254_740_993)
    }

    @Test("non-conforming JSON is refused", arguments: [
        (#"{"a":1,"a":2}"#, JSONError.Code.duplicateMemberName, "duplicate member"),
        (#"{"a":1,}"#, .unexpectedCharacter, "trailing comma"),
        (#"[1,]"#, .unexpectedCharacter, "trailing comma in array"),
        (#"{'a':1}"#, .unexpectedCharacter, "single quotes"),
        (#"{a:1}"#, .unexpectedCharacter, "bare name"),
        (#"01"#, .invalidNumber, "leading zero"),
        (#"1."#, .invalidNumber, "no fraction digits"),
        (#"-"#, .invalidNumber, "lone minus"),
        (#"NaN"#, .unexpectedCharacter, "not a JSON literal"),
        (#""\ud800""#, .invalidString, "lone high surrogate"),
        (#""\udc00""#, .invalidString, "lone low surrogate"),
        (#""\x41""#, .invalidString, "unknown escape"),
        ("\"a\u{01}b\"", .invalidString, "raw control character"),
        (#""abc"#, .unexpectedEnd, "unclosed string"),
        (#"tru"#, .invalidLiteral, "truncated literal"),
        (#"{} {}"#, .trailingText, "two documents"),
        (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), .tooDeep, "nesting deeper than 32"),
    ])
    func refused(_ text: String, _ code: JSONError.Code, _ reason: String) {
        #expect(errorCode { try JSONValue.parse(Array(text.utf8)) } == code, "\(reason)")
    }
}
