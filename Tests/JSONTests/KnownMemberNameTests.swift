import Testing
@testable import JSON

/// The parser hands out literals for common member names, and compares plain ASCII names by
/// their raw bytes to find duplicates; neither may change what a document parses to.
@Suite("Known member names and raw-byte duplicate checks")
struct KnownMemberNameTests {
    /// Every name `KnownMemberName` knows, written out again here so a wrong constant shows.
    static let known = [
        "alg", "kid", "typ", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "zip", "b64",
        "iss", "aud", "exp", "iat", "sub", "azp", "nbf", "jti", "sid", "acr", "amr", "nonce", "auth_time",
        "at_hash", "c_hash", "email", "email_verified", "name", "given_name", "family_name", "middle_name",
        "nickname", "preferred_username", "profile", "picture", "website", "gender", "birthdate",
        "zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at", "hd",
        "keys", "kty", "use", "key_ops", "n", "e", "crv", "x", "y",
    ]

    static func lookUp(_ name: String) -> String? {
        Array(name.utf8).withUnsafeBufferPointer { KnownMemberName.string(for: $0, head: KnownMemberName.head(of: $0)) }
    }

    @Test("every known name is found, as itself", arguments: known)
    func found(_ name: String) throws {
        #expect(Self.lookUp(name) == name)
        // Through the parser, both where eight bytes can be read past the name and at the very end.
        let members = try JSONValue.parseObjectMembers(Array("{\"\(name)\":1}".utf8))
        #expect(members.map(\.name) == [name])
        let padded = try JSONValue.parseObjectMembers(Array("{\"\(name)\":\"long enough value\"}".utf8))
        #expect(padded.map(\.name) == [name])
    }

    @Test("a near miss of a known name is not found, and parses to its own bytes", arguments: known)
    func nearMisses(_ name: String) throws {
        let bytes = Array(name.utf8)
        var lastChanged = bytes
        lastChanged[bytes.count - 1] ^= 0x01
        var firstUpper = bytes
        firstUpper[0] = firstUpper[0] & ~0x20
        let misses: [[UInt8]] = [
            lastChanged,  // the last byte differs (beyond the first eight for long names)
            bytes + [UInt8(ascii: "x")],  // one byte longer
            Array(bytes.dropLast()),  // one byte shorter
            firstUpper,  // case differs in the first byte
        ]
        for miss in misses where miss != bytes {
            let text = String(decoding: miss, as: UTF8.self)
            if !Self.known.contains(text) { #expect(Self.lookUp(text) == nil, "\(text)") }
            let members = try JSONValue.parseObjectMembers(Array("{\"".utf8) + miss + Array("\":1}".utf8))
            #expect(members.map(\.name) == [text], "\(text)")
        }
    }

    @Test("duplicates are refused and distinct names kept, wherever the bytes differ", arguments: [
        (#"{"iss":1,"\u0069ss":2}"#, false, "a known name, then the same with an escape"),
        (#"{"\u0069ss":1,"iss":2}"#, false, "an escaped spelling, then the plain one"),
        (#"{"preferred_username":1,"preferred_username":2}"#, false, "a long known name twice"),
        (#"{"preferred_username":1,"preferred_usernamf":2}"#, true, "long names that differ only past the eighth byte"),
        (#"{"abcdefghij":1,"abcdefghij":2}"#, false, "an unknown long name twice"),
        (#"{"abcdefghij":1,"abcdefghik":2}"#, true, "unknown long names differing in the last byte"),
        (#"{"abcdefgh":1,"abcdefghi":2}"#, true, "same first eight bytes, different lengths"),
        (#"{"":1,"":2}"#, false, "the empty name twice"),
        (#"{"":1,"a":2}"#, true, "the empty name and another"),
        (#"{"e":1,"e":2}"#, false, "a one-byte name twice, near the end of the input"),
        (#"{"x":1,"y":2}"#, true, "two one-byte names near the end of the input"),
        ("{\"caf\u{E9}\":1,\"cafe\u{301}\":2}", false, "non-ASCII names still compare by canonical equivalence"),
        ("{\"caf\u{E9}\":1,\"caf\\u00e9\":2}", false, "raw non-ASCII and its escape"),
    ] as [(String, Bool, String)])
    func duplicates(_ text: String, _ accepted: Bool, _ reason: String) {
        let members = try? JSONValue.parseObjectMembers(Array(text.utf8))
        #expect((members != nil) == accepted, "\(reason)")
        // The dictionary parser agrees.
        #expect(((try? JSONValue.parse(Array(text.utf8))) != nil) == accepted, "parse agrees: \(reason)")
    }
}
