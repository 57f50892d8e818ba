import Testing
@testable import JSON

@Suite("JSON object members in document order")
struct JSONObjectMembersTests {
    @Test("members come back in document order, with the same values parse gives")
    func order() throws {
        let text = #"{"z":1,"a":{"n":[true,null]},"m":"x\u00e9"}"#
        let members = try JSONValue.parseObjectMembers(Array(text.utf8))
        #expect(members.map(\.name) == ["z", "a", "m"])
        #expect(members.dictionary == (try JSONValue.parse(Array(text.utf8))).objectValue)
        #expect(try JSONValue.parseObjectMembers(Array(" {} ".utf8)).isEmpty)
    }

    /// Names that repeat after the linear scan's limit are caught by the set that takes over.
    static let manyNames = (0..<40).map { "\"n\($0)\":\($0)" }

    @Test("what parse refuses is refused here too", arguments: [
        (#"{"a":1,"a":2}"#, JSONError.Code.duplicateMemberName, "duplicate member, found by the linear scan"),
        ("{\"e\u{301}\":1,\"\u{E9}\":2}", .duplicateMemberName, "duplicate by canonical equivalence, as a Dictionary's keys compare"),
        ("{\"K\":1,\"\u{212A}\":2}", .duplicateMemberName, "an ASCII name, then the Kelvin sign, canonically equivalent to it"),
        ("{\"\u{212A}\":1,\"K\":2}", .duplicateMemberName, "the Kelvin sign, then the ASCII name it is equivalent to"),
        (#"{"ab":1,"\u0061b":2}"#, .duplicateMemberName, "the same name once plain, once with an escape"),
        (#"{"iss":1,"aud":2,"iss":3}"#, .duplicateMemberName, "a repeated name among others of the same length"),
        ("{" + (manyNames + ["\"n3\":0"]).joined(separator: ",") + "}", .duplicateMemberName, "duplicate of an early name, found by the set past the limit"),
        ("{" + (manyNames + ["\"n39\":0"]).joined(separator: ",") + "}", .duplicateMemberName, "duplicate of a late name, found by the set past the limit"),
        (#"[1]"#, .notAnObject, "an array, not an object"),
        (#""{}""#, .notAnObject, "a string, not an object"),
        (#"{"a":1} x"#, .trailingText, "trailing bytes"),
        (#"{"a":1"#, .unexpectedEnd, "unclosed object"),
        ("", .notAnObject, "nothing at all"),
    ])
    func refused(_ text: String, _ code: JSONError.Code, _ reason: String) {
        #expect(errorCode { try JSONValue.parseObjectMembers(Array(text.utf8)) } == code, "\(reason)")
        // parse refuses the same texts, or (for non-objects) returns something that is no object.
        #expect((try? JSONValue.parse(Array(text.utf8)))?.objectValue == nil, "parse agrees: \(reason)")
    }

    @Test("many distinct names pass the set past the linear scan's limit")
    func manyDistinct() throws {
        let members = try JSONValue.parseObjectMembers(Array(("{" + Self.manyNames.joined(separator: ",") + "}").utf8))
        #expect(members.count == 40)
        #expect(members.last == JSONObjectMember(name: "n39", value: .number("39")))
    }

    /// Real claim names, fifteen of them: the linear scan's whole range, where names that share
    /// a `nameBit` must still be told apart by their bytes.
    static let claimNames = [
        "iss", "sub", "aud", "exp", "iat", "nbf", "azp", "nonce", "auth_time", "email",
        "email_verified", "name", "preferred_username", "given_name", "family_name",
    ]

    @Test("within the linear scan, a repeat of any earlier name is refused and a new name is kept")
    func repeatsWithinTheLinearScan() throws {
        let members = Self.claimNames.map { "\"\($0)\":1" }
        for repeated in Self.claimNames {
            let text = "{" + (members + ["\"\(repeated)\":2"]).joined(separator: ",") + "}"
            #expect(errorCode { try JSONValue.parseObjectMembers(Array(text.utf8)) } == .duplicateMemberName, "\(repeated) twice")
        }
        let distinct = "{" + (members + [#""picture":2"#]).joined(separator: ",") + "}"
        #expect(try JSONValue.parseObjectMembers(Array(distinct.utf8)).count == Self.claimNames.count + 1)
    }

    @Test("a hand-made list with a repeated name keeps the first in its dictionary, never traps")
    func handMadeDictionary() {
        let members = [JSONObjectMember(name: "a", value: .number("1")), JSONObjectMember(name: "a", value: .number("2"))]
        #expect(members.dictionary == ["a": .number("1")])
    }
}
