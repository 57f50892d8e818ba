import Testing
import HTTP

@Suite struct CIDRTests {
    struct Membership: Sendable, CustomTestStringConvertible {
        let range: String
        let address: String
        let expected: Bool
        let reason: String
        var testDescription: String { "\(range) ∋ \(address.debugDescription) = \(expected): \(reason)" }
    }

    static let memberships: [Membership] = [
        .init(range: "10.0.0.0/8", address: "10.1.2.3", expected: true, reason: "inside a /8"),
        .init(range: "10.0.0.0/8", address: "11.0.0.0", expected: false, reason: "first address past a /8"),
        .init(range: "10.0.0.0/8", address: "9.255.255.255", expected: false, reason: "last address before a /8"),
        .init(range: "192.168.1.0/25", address: "192.168.1.127", expected: true, reason: "prefix not on a byte boundary, last inside"),
        .init(range: "192.168.1.0/25", address: "192.168.1.128", expected: false, reason: "prefix not on a byte boundary, first outside"),
        .init(range: "203.0.113.7/32", address: "203.0.113.7", expected: true, reason: "/32 is exactly one host"),
        .init(range: "203.0.113.7/32", address: "203.0.113.8", expected: false, reason: "/32 excludes its neighbour"),
        .init(range: "203.0.113.7", address: "203.0.113.7", expected: true, reason: "a bare IPv4 address is a /32"),
        .init(range: "0.0.0.0/0", address: "198.51.100.1", expected: true, reason: "IPv4 /0 holds every IPv4 address"),
        .init(range: "0.0.0.0/0", address: "2001:db8::1", expected: false, reason: "IPv4 /0 holds no native IPv6 address"),
        .init(range: "2001:db8::/32", address: "2001:db8:ffff::1", expected: true, reason: "inside an IPv6 /32"),
        .init(range: "2001:db8::/32", address: "2001:db9::1", expected: false, reason: "outside an IPv6 /32"),
        .init(range: "2001:DB8::/32", address: "2001:db8::1", expected: true, reason: "IPv6 hex is case-insensitive"),
        .init(range: "fe80::/10", address: "febf::1", expected: true, reason: "prefix not on a byte boundary, last inside"),
        .init(range: "fe80::/10", address: "fec0::1", expected: false, reason: "prefix not on a byte boundary, first outside"),
        .init(range: "::1/128", address: "::1", expected: true, reason: "/128 is exactly one host"),
        .init(range: "::1/128", address: "::2", expected: false, reason: "/128 excludes its neighbour"),
        .init(range: "::1", address: "0:0:0:0:0:0:0:1", expected: true, reason: "a bare IPv6 address is a /128; text forms compare by value"),
        .init(range: "::/0", address: "2001:db8::1", expected: true, reason: "IPv6 /0 holds every IPv6 address"),
        .init(range: "::/0", address: "192.0.2.1", expected: false, reason: "families never mix: IPv6 /0 does not trust IPv4 clients"),
        .init(range: "::/0", address: "::ffff:192.0.2.1", expected: false, reason: "a v4-mapped address is IPv4, so IPv6 /0 does not hold it"),
        .init(range: "10.0.0.0/8", address: "::ffff:10.9.8.7", expected: true, reason: "a dual-stack socket reports IPv4 peers v4-mapped"),
        .init(range: "10.0.0.0/8", address: "::ffff:a09:807", expected: true, reason: "v4-mapped in hex form is the same address"),
        .init(range: "10.0.0.0/8", address: "::ffff:11.0.0.1", expected: false, reason: "v4-mapped outside the range"),
        .init(range: "::ffff:10.0.0.0/104", address: "10.200.0.1", expected: true, reason: "a v4-mapped range is the IPv4 range it carries"),
        .init(range: "::ffff:10.0.0.1", address: "10.0.0.1", expected: true, reason: "a bare v4-mapped address is that IPv4 host"),
        .init(range: "10.0.0.0/8", address: "::10.0.0.1", expected: false, reason: "v4-compatible (not mapped) is a plain IPv6 address"),
        .init(range: "10.0.0.0/8", address: "10.0.0.1%eth0", expected: false, reason: "zone ids are not addresses: never trusted"),
        .init(range: "10.0.0.0/8", address: "", expected: false, reason: "empty text is never trusted"),
        .init(range: "10.0.0.0/8", address: "10.1", expected: false, reason: "inet_aton shorthand is refused"),
        .init(range: "10.0.0.0/8", address: "010.0.0.1", expected: false, reason: "octal-looking dotted quad is refused"),
        .init(range: "10.0.0.0/8", address: "10.0.0.1\u{0}junk", expected: false, reason: "an embedded NUL must not truncate the text"),
        .init(range: "10.0.0.0/8", address: " 10.0.0.1", expected: false, reason: "surrounding spaces are not trimmed"),
        .init(range: "::1/128", address: "[::1]", expected: false, reason: "brackets belong to URLs, not addresses"),
    ]

    @Test(arguments: memberships)
    func containsAddress(_ row: Membership) throws {
        let range = try CIDR(parsing: row.range)
        #expect(range.contains(row.address) == row.expected, "\(row.reason)")
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let text: String
        let code: CIDRParseError.Code
        let reason: String
        var testDescription: String { "\(text.debugDescription): \(reason)" }
    }

    static let rejections: [Rejection] = [
        .init(text: "", code: .invalidAddress, reason: "empty"),
        .init(text: "/8", code: .invalidAddress, reason: "no address"),
        .init(text: "10.0.0.0/", code: .invalidPrefixLength, reason: "empty prefix length"),
        .init(text: "10.0.0.0/33", code: .invalidPrefixLength, reason: "IPv4 prefix past 32 bits"),
        .init(text: "::/129", code: .invalidPrefixLength, reason: "IPv6 prefix past 128 bits"),
        .init(text: "10.0.0.0/-1", code: .invalidPrefixLength, reason: "negative prefix length"),
        .init(text: "10.0.0.0/+8", code: .invalidPrefixLength, reason: "signed prefix length"),
        .init(text: "10.0.0.0/08", code: .invalidPrefixLength, reason: "leading zero is more likely a typo"),
        .init(text: "10.0.0.0/8/8", code: .invalidPrefixLength, reason: "two slashes"),
        .init(text: "10.0.0.0/ 8", code: .invalidPrefixLength, reason: "space in the prefix length"),
        .init(text: "10.0.0.0/99999999999999999999", code: .invalidPrefixLength, reason: "huge prefix must not overflow"),
        .init(text: "256.0.0.0/8", code: .invalidAddress, reason: "octet out of range"),
        .init(text: "10.0.0/24", code: .invalidAddress, reason: "three octets"),
        .init(text: "example.com/24", code: .invalidAddress, reason: "a host name is not an address"),
        .init(text: "[::1]/128", code: .invalidAddress, reason: "brackets are not part of an address"),
        .init(text: "fe80::1%eth0/64", code: .invalidAddress, reason: "zone ids are not supported"),
        .init(text: "10.0.0.0\u{0}/8", code: .invalidAddress, reason: "embedded NUL"),
        .init(text: "10.0.0.1/8", code: .hostBitsSet, reason: "bits past the prefix: a typo, never widened silently"),
        .init(text: "2001:db8::1/32", code: .hostBitsSet, reason: "IPv6 bits past the prefix"),
    ]

    @Test(arguments: rejections)
    func rejectsMalformedRange(_ row: Rejection) {
        #expect(throws: CIDRParseError.self, "\(row.reason)") { try CIDR(parsing: row.text) }
        do {
            _ = try CIDR(parsing: row.text)
        } catch {
            #expect(error.code == row.code, "\(row.reason)")
            #expect(error.input == row.text)
        }
    }

    @Test func hostBitsErrorSuggestsTheNetwork() {
        do {
            _ = try CIDR(parsing: "192.168.1.77/24")
            Issue.record("expected an error")
        } catch {
            #expect(error.suggestion == "192.168.1.0/24")
            #expect(error.description.contains("did you mean 192.168.1.0/24?"))
        }
    }

    @Test func canonicalDescription() throws {
        #expect(try CIDR(parsing: "10.0.0.0/8").description == "10.0.0.0/8")
        #expect(try CIDR(parsing: "2001:DB8:0::/32").description == "2001:db8::/32")
        #expect(try CIDR(parsing: "::ffff:10.0.0.0/104").description == "10.0.0.0/8")
        #expect(try CIDR(parsing: "::1").description == "::1/128")
        #expect(try CIDR(parsing: "0.0.0.0/0").prefixLength == 0)
    }

    @Test func ipAddressParsingAndUnmapping() throws {
        let mapped = try #require(IPAddress("::ffff:192.0.2.1"))
        #expect(mapped.family == .ipv6)
        #expect(mapped.unmappedIPv4 == IPAddress("192.0.2.1"))
        #expect(IPAddress("2001:db8::1")?.unmappedIPv4 == nil)
        #expect(IPAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }
}
