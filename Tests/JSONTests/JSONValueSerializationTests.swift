import Testing
@testable import JSON

@Suite("JSON serialisation")
struct JSONValueSerializationTests {
    static func text(_ value: JSONValue) throws -> String {
        String(decoding: try value.serialized(), as: UTF8.self)
    }

    @Test("objects are written compactly with members sorted by name")
    func sortedCompact() throws {
        let value: JSONValue = .object(["b": .integer(2), "a": .array([.null, .bool(true), .bool(false)]), "B": .string("x")])
        #expect(try Self.text(value) == #"{"B":"x","a":[null,true,false],"b":2}"#)
    }

    @Test("ordered objects keep the caller's order")
    func ordered() throws {
        let bytes = try JSONValue.serializedObject([("z", .integer(1)), ("a", .integer(-7))])
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"z":1,"a":-7}"#)
    }

    @Test("strings escape exactly quote, backslash and controls")
    func escapes() throws {
        let value: JSONValue = .string("q\"b\\s/n\nt\tu\u{01}é😀")
        #expect(try Self.text(value) == #""q\"b\\s/n\nt\tu\u0001é😀""#)
        #expect(try JSONValue.parse(try value.serialized()) == value, "what we write, we read back")
    }

    @Test("a value survives a round trip through the parser")
    func roundTrip() throws {
        let value: JSONValue = .object([
            "exp": .integer(Int64.max), "nested": .object(["x": .array([.number("1.5e3"), .string("")])]), "neg": .number("-0"),
        ])
        #expect(try JSONValue.parse(try value.serialized()) == value)
    }

    @Test("number text that is not a JSON number is refused", arguments: [
        ("", "empty"), ("01", "leading zero"), ("1.", "no fraction digits"), (" 1", "whitespace"),
        ("NaN", "not JSON"), ("1,2", "two numbers"), ("true", "a literal, not a number"),
    ])
    func badNumbers(_ text: String, _ reason: String) {
        #expect(errorCode { try JSONValue.number(text).serialized() } == .invalidNumberText, "\(reason)")
    }

    @Test("an ordered object with a repeated name is refused")
    func repeatedName() {
        #expect(errorCode { try JSONValue.serializedObject([("a", .null), ("a", .null)]) } == .duplicateMemberName)
    }
}
