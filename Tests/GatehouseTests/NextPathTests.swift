import Testing
@testable import Gatehouse

@Suite("The next path after sign-in")
struct NextPathTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let raw: String
        let accepted: Bool
        let reason: String
        var testDescription: String { reason }
    }

    static let rows: [Row] = [
        Row(raw: "/", accepted: true, reason: "the root"),
        Row(raw: "/account", accepted: true, reason: "a plain path"),
        Row(raw: "/apps/wiki?tab=2&x=%20y#top", accepted: true, reason: "query and fragment are ours to keep"),
        Row(raw: "/a/b/c/", accepted: true, reason: "nested path with trailing slash"),
        Row(raw: "/a%2Fb", accepted: true, reason: "an encoded slash later in the path is harmless"),
        Row(raw: "/a//b", accepted: true, reason: "a double slash after the first segment stays on our origin"),
        Row(raw: "/a:b@c", accepted: true, reason: "colons and at-signs inside a path are not a scheme or user info"),
        Row(raw: "//evil.example", accepted: false, reason: "network-path reference: another host"),
        Row(raw: "//evil.example/%2e%2e", accepted: false, reason: "network-path reference with junk after"),
        Row(raw: "///evil.example", accepted: false, reason: "three slashes: browsers still go to evil.example"),
        Row(raw: "/\\evil.example", accepted: false, reason: "slash backslash: browsers read \\ as /"),
        Row(raw: "\\\\evil.example", accepted: false, reason: "two backslashes"),
        Row(raw: "/a\\b", accepted: false, reason: "a backslash anywhere"),
        Row(raw: "https://evil.example", accepted: false, reason: "an absolute URL"),
        Row(raw: "javascript:alert(1)", accepted: false, reason: "a javascript: URL"),
        Row(raw: "data:text/html,<script>alert(1)</script>", accepted: false, reason: "a data: URL"),
        Row(raw: "evil.example", accepted: false, reason: "a relative reference"),
        Row(raw: "", accepted: false, reason: "empty"),
        Row(raw: " /account", accepted: false, reason: "leading space"),
        Row(raw: "/\t/evil.example", accepted: false, reason: "a tab, which browsers strip, leaving //evil.example"),
        Row(raw: "/\n/evil.example", accepted: false, reason: "a newline, which browsers strip (and which splits headers)"),
        Row(raw: "/\r\nSet-Cookie: x=y", accepted: false, reason: "header injection"),
        Row(raw: "/\u{0}", accepted: false, reason: "a NUL byte"),
        Row(raw: "/a b", accepted: false, reason: "a space inside"),
        Row(raw: "/\u{3000}/evil.example", accepted: false, reason: "Unicode whitespace"),
        Row(raw: "/\u{FF0F}evil.example", accepted: false, reason: "a fullwidth solidus that some parsers map to /"),
        Row(raw: "/%2F/evil.example", accepted: false, reason: "encoded slash right after the first: //evil.example once decoded"),
        Row(raw: "/%2fevil.example", accepted: false, reason: "lower-case encoded slash"),
        Row(raw: "/%5Cevil.example", accepted: false, reason: "encoded backslash right after the first slash"),
        Row(raw: "/%5cevil.example", accepted: false, reason: "lower-case encoded backslash"),
        Row(raw: "/.//evil.example", accepted: false, reason: "a dot segment that collapses to //evil.example"),
        Row(raw: "/../evil", accepted: false, reason: "a dot-dot segment"),
        Row(raw: "/%2e%2e/%2e%2e/", accepted: false, reason: "encoded dot-dot segments"),
        Row(raw: "/" + String(repeating: "a", count: 2048), accepted: false, reason: "2049 bytes, over the cap"),
        Row(raw: "/" + String(repeating: "a", count: 2047), accepted: true, reason: "exactly 2048 bytes"),
    ]

    @Test("each value is accepted or falls back to /", arguments: rows)
    func validate(_ row: Row) {
        #expect(NextPath.validate(row.raw) == (row.accepted ? row.raw : "/"), "\(row.reason)")
        #expect((NextPath.refusal(row.raw) == nil) == row.accepted, "\(row.reason)")
    }

    @Test("absent next means /")
    func absent() {
        #expect(NextPath.validate(nil) == "/")
    }
}
