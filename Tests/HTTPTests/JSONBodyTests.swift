import Foundation
import Testing
@testable import HTTP

@Suite struct JSONBodyTests {
    static func request(contentType: String?) -> Request {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        return Request(method: "POST", target: "/api/login", headers: headers, body: Array(#"{"user":"ann"}"#.utf8))
    }

    @Test(arguments: [
        "application/json",
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ])
    func jsonTypes(contentType: String) {
        #expect(Self.request(contentType: contentType).hasJSONBody)
    }

    @Test(arguments: [
        (String?.none, "no Content-Type"),
        ("text/plain", "a simple-request type a cross-site form can send"),
        ("application/x-www-form-urlencoded", "a form"),
        ("text/json+xml", "+json only counts under application/"),
    ])
    func otherTypesAreNotJSON(contentType: String?, reason: String) {
        #expect(!Self.request(contentType: contentType).hasJSONBody, "\(reason)")
    }

    @Test func jsonResponse() throws {
        let response = try Response.json(.object(["user": .string("a/b"), "remember": .bool(false)]), status: .created)
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"remember":false,"user":"a/b"}"#)
    }

    @Test func numberTextThatIsNoJSONNumberThrows() {
        #expect(throws: JSONError.self) { try Response.json(.object(["x": .number("NaN")])) }
    }
}

/// The admin API's answers and problem details were written by `JSONEncoder` (sorted keys,
/// slashes unescaped) and are now written by `JSONValue.serialized()`: the OpenAPI document,
/// the schemathesis run and every client's `ETag` depend on the bytes being the same.
@Suite struct JSONValueBytesTests {
    /// How HTTP's own JSON value type encoded itself before it was replaced: the reference.
    struct EncoderReference: Encodable {
        let value: JSONValue

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            switch value {
            case .string(let text):
                var container = encoder.singleValueContainer()
                try container.encode(text)
            case .number(let text):
                var container = encoder.singleValueContainer()
                try container.encode(try #require(Int(text)))
            case .bool(let flag):
                var container = encoder.singleValueContainer()
                try container.encode(flag)
            case .null:
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            case .array(let elements):
                var container = encoder.unkeyedContainer()
                for element in elements { try container.encode(EncoderReference(value: element)) }
            case .object(let members):
                var container = encoder.container(keyedBy: Key.self)
                for (name, member) in members { try container.encode(EncoderReference(value: member), forKey: Key(name)) }
            case .orderedObject:
                Issue.record("the API writes no ordered objects")
            }
        }
    }

    /// The encoder the admin API used: sorted keys, slashes left alone.
    static func encoderBytes(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(EncoderReference(value: value)))
    }

    static let everyASCII = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self)

    @Test("the bytes are JSONEncoder's", arguments: [
        (JSONValue.string(everyASCII), "every ASCII character, controls escaped as JSONEncoder does"),
        (.string("a/b é 😀 \u{2028}\u{2029} \u{FEFF}"), "slashes and non-ASCII text as they are"),
        (.array([.int(Int.max), .int(Int.min), 0, -1, true, false, .null]), "integers at the extremes, literals"),
        (.object([:]), "an empty object"),
        (.array([]), "an empty array"),
        (.object([
            "user_id": 1, "username": "u", "a": .array([.object(["z": .null, "Z": "x"])]), "B": true, "_x": "y",
            "a10": 1, "a2": 2, "email_verified": false, "email": "e", "é": "non-ASCII name", "x-y": 1, "x.y": 2, "~": 3,
        ]), "member names sorted the same way, at every level"),
        (ProblemDetails(status: .badRequest, detail: "No \"quotes\" or \\ here.\n", instance: "/api/v1/x",
                        extensions: ["code": "bad_request", "request_id": "r-1", "errors": .array([.object(["pointer": "/a~1b"])])]).jsonValue,
         "a problem, as HTTPError renders one"),
    ])
    func sameBytes(_ value: JSONValue, _ reason: String) throws {
        #expect(try value.serialized() == (try Self.encoderBytes(value)), "\(reason)")
    }

    @Test func jsonValueResponse() throws {
        let response = try Response.json(.object(["b": "a/b", "a": .int(1)]), status: .created)
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":1,"b":"a/b"}"#)
        #expect(throws: JSONError.self) { try Response.json(.number("NaN")) }
    }

    @Test func problemDetailsBytes() {
        let problem = ProblemDetails(status: .notFound, extensions: ["type": "ignored", "code": "not_found"])
        #expect(String(decoding: problem.encoded(), as: UTF8.self) == #"{"code":"not_found","status":404,"title":"Not Found","type":"about:blank"}"#)
        let broken = ProblemDetails(status: .notFound, extensions: ["x": .number("1e")])
        #expect(String(decoding: broken.encoded(), as: UTF8.self) == #"{"status":404,"title":"Not Found","type":"about:blank"}"#, "a bad extension is dropped, the problem kept")
    }
}
