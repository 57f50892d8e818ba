import Testing
@testable import Directory

/// RFC 4515 escaping: typed text is a literal value, whatever it holds.
@Suite struct FilterEscapingTests {
    @Test(arguments: [
        ("alice", "alice"),                         // nothing special
        ("*", "\\2a"),                              // a wildcard would match every entry
        ("*)(uid=*", "\\2a\\29\\28uid=\\2a"),       // closes the filter and opens another
        ("a\\b", "a\\5cb"),                         // a backslash would start an escape
        ("a\u{0}b", "a\\00b"),                      // NUL ends a C string early
        ("é", "\\c3\\a9"),                          // beyond ASCII: escaped byte by byte
    ])
    func value(_ row: (String, String)) {
        #expect(FilterEscaping.value(row.0) == row.1)
    }

    @Test func loginFilterAlternatives() {
        #expect(FilterEscaping.loginFilter(userFilter: "(objectClass=inetOrgPerson)", attributes: ["uid", "mail"], typed: "a*")
            == "(&(objectClass=inetOrgPerson)(|(uid=a\\2a)(mail=a\\2a)))")
        #expect(FilterEscaping.loginFilter(userFilter: "(objectClass=person)", attributes: ["uid"], typed: "b")
            == "(&(objectClass=person)(uid=b))")
    }

    /// Active Directory's objectGUID: the first three fields are little-endian on the wire.
    @Test func objectGUIDText() {
        let bytes: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
        #expect(UniqueIdentifier.text(attribute: "objectGUID", value: bytes) == "33221100-5544-7766-8899-aabbccddeeff")
        #expect(UniqueIdentifier.text(attribute: "objectGUID", value: Array(bytes.prefix(15))) == nil)
        #expect(UniqueIdentifier.text(attribute: "entryUUID", value: Array("5A0B-x".utf8)) == "5a0b-x")
    }

    /// Finding: a binary uniqueness attribute other than objectGUID was decoded as UTF-8, so every
    /// invalid byte became U+FFFD and two people's `objectSid`s (RIDs 1153 and 1154: 0x81 and
    /// 0x82 in their last byte) keyed one identity, and the second signed in as the first.
    @Test func binaryAndNonASCIIValuesKeepEveryByte() {
        let domain: [UInt8] = [0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00,
                               0x0a, 0x0b, 0x0c, 0x0d, 0x1a, 0x1b, 0x1c, 0x1d, 0x2a, 0x2b, 0x2c, 0x2d]
        let first = UniqueIdentifier.text(attribute: "objectSid", value: domain + [0x81, 0x04, 0x00, 0x00])
        let second = UniqueIdentifier.text(attribute: "objectSid", value: domain + [0x82, 0x04, 0x00, 0x00])
        #expect(first == "hex:010500000000000515000000" + "0a0b0c0d1a1b1c1d2a2b2c2d" + "81040000")
        #expect(second != first)
        // Unicode case mapping would join the Kelvin sign and `k`; bytes do not.
        #expect(UniqueIdentifier.text(attribute: "uid", value: Array("\u{212A}1".utf8)) == "hex:e284aa31")
        #expect(UniqueIdentifier.text(attribute: "uid", value: Array("k1".utf8)) == "k1")
        // Printable text that looks like another value's key is written in hexadecimal too.
        #expect(UniqueIdentifier.text(attribute: "uid", value: Array("hex:81".utf8)) == "hex:6865783a3831")
        #expect(UniqueIdentifier.text(attribute: "uid", value: []) == nil)
    }

    @Test(arguments: [
        ("ldap://directory.example", false, false, true),   // remote plain LDAP without StartTLS
        ("ldap://directory.example", true, false, false),   // StartTLS protects it
        ("ldaps://directory.example", false, false, false), // TLS from the first byte
        ("ldap://127.0.0.1:3890", false, false, false),     // loopback never leaves the machine
        ("ldap://directory.example", false, true, false),   // the operator opted in
        ("ldaps://admin@directory.example:636", true, false, true),  // a user in a URI is refused: credentials have their own keys
    ])
    func plainLDAPRule(_ row: (String, Bool, Bool, Bool)) {
        let settings = DirectorySettings(uris: [row.0], startTLS: row.1, allowPlainLDAP: row.2)
        #expect(!settings.problems().isEmpty == row.3)
    }
}
