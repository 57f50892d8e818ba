import Testing
@testable import Gatehouse

/// `ReturnTarget`: a sign-in's `next` is a local path or a URL on a protected origin, nothing else.
@Suite("Return target")
struct ReturnTargetTests {
    static let target = ReturnTarget(protectedOrigins: [
        PublicURL(scheme: .https, host: "app.example.com", port: nil),
        PublicURL(scheme: .http, host: "127.0.0.1", port: 9000),
    ])

    struct Row: CustomTestStringConvertible, Sendable {
        let raw: String?
        let expected: String
        let reason: String
        var testDescription: String { reason }
    }

    static let accepted: [Row] = [
        .init(raw: "/account", expected: "/account", reason: "a local path, by NextPath's rules"),
        .init(raw: "https://app.example.com/docs?page=2#top", expected: "https://app.example.com/docs?page=2#top", reason: "a protected origin with path, query and fragment"),
        .init(raw: "https://app.example.com", expected: "https://app.example.com/", reason: "the bare origin gets its root path"),
        .init(raw: "HTTPS://APP.Example.COM/x", expected: "https://app.example.com/x", reason: "scheme and host compare case-insensitively; the origin comes back canonical"),
        .init(raw: "https://app.example.com:443/x", expected: "https://app.example.com/x", reason: "the default port written out is the same origin"),
        .init(raw: "http://127.0.0.1:9000/app", expected: "http://127.0.0.1:9000/app", reason: "an IP origin with its port"),
        .init(raw: "https://app.example.com//evil.example/x", expected: "https://app.example.com//evil.example/x", reason: "a double slash after the authority is a path on the protected host, not another host"),
    ]

    static let refused: [Row] = [
        .init(raw: nil, expected: "/", reason: "absent"),
        .init(raw: "//evil.example/", expected: "/", reason: "network-path reference to another host"),
        .init(raw: "https://evil.example/", expected: "/", reason: "an origin that is not protected"),
        .init(raw: "https://app.example.com.evil.example/", expected: "/", reason: "a protected host as a prefix of another"),
        .init(raw: "https://evil.example/https://app.example.com/", expected: "/", reason: "the protected origin inside the path of another"),
        .init(raw: "https://app.example.com@evil.example/", expected: "/", reason: "user info: the real host is evil.example"),
        .init(raw: "https://user:pw@app.example.com/", expected: "/", reason: "user info before the protected host is refused too"),
        .init(raw: "https://evil.example\\@app.example.com/", expected: "/", reason: "a backslash, which browsers read as a slash"),
        .init(raw: "https://app.example.com\\@evil.example/", expected: "/", reason: "a backslash ending the authority for a browser"),
        .init(raw: "https:\\\\app.example.com/", expected: "/", reason: "backslashes for slashes"),
        .init(raw: "https://app.example.com:8443/", expected: "/", reason: "another port"),
        .init(raw: "http://app.example.com/", expected: "/", reason: "another scheme (http for an https origin)"),
        .init(raw: "ftp://app.example.com/", expected: "/", reason: "not http or https"),
        .init(raw: "javascript:alert(1)//https://app.example.com/", expected: "/", reason: "a script URL"),
        .init(raw: "https://app.example.com?next=https://evil.example", expected: "/", reason: "a query straight after the authority is not taken"),
        .init(raw: "https://app.example.com\t.evil.example/", expected: "/", reason: "a tab, which browsers strip"),
        .init(raw: "https://app.example.com /x", expected: "/", reason: "a space"),
        .init(raw: "https://app.example.com%2eevil.example/", expected: "/", reason: "percent-encoding in the host"),
        .init(raw: "https://ａpp.example.com/", expected: "/", reason: "non-ASCII look-alike letters"),
        .init(raw: "https:///app.example.com/", expected: "/", reason: "an empty authority"),
        .init(raw: "/\\evil.example", expected: "/", reason: "a local path with a backslash (NextPath)"),
        .init(raw: "https://app.example.com/" + String(repeating: "a", count: 2048), expected: "/", reason: "longer than NextPath's limit"),
    ]

    @Test(arguments: accepted)
    func accepts(_ row: Row) {
        #expect(Self.target.validate(row.raw) == row.expected, "\(row.reason)")
    }

    @Test(arguments: refused)
    func refuses(_ row: Row) {
        #expect(Self.target.validate(row.raw) == row.expected, "\(row.reason)")
    }

    @Test("with no protected hosts, only local paths are accepted")
    func noProtectedHosts() {
        let target = ReturnTarget(protectedOrigins: [])
        #expect(target.validate("https://app.example.com/") == "/")
        #expect(target.validate("/ok") == "/ok")
    }
}
