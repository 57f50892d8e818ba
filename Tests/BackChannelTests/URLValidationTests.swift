import Testing
@testable import BackChannel

/// Only absolute http and https URLs without credentials are ever sent.
@Suite struct URLValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let url: String
        let code: BackChannelError.Code
        let reason: String
        var testDescription: String { "\(url.debugDescription): \(reason)" }
    }

    @Test(arguments: [
        Case(url: "ftp://127.0.0.1/file", code: .schemeRefused, reason: "curl speaks FTP, we do not"),
        Case(url: "file:///etc/passwd", code: .schemeRefused, reason: "a local file is never a provider"),
        Case(url: "gopher://127.0.0.1/", code: .schemeRefused, reason: "an old protocol curl still knows"),
        Case(url: "dict://127.0.0.1:11211/stat", code: .schemeRefused, reason: "a classic SSRF vector"),
        Case(url: "madeup://127.0.0.1/", code: .schemeRefused, reason: "a scheme curl does not know is refused, not malformed"),
        Case(url: "", code: .invalidURL, reason: "empty"),
        Case(url: "not a url", code: .invalidURL, reason: "no scheme, and spaces"),
        Case(url: "/relative/path", code: .invalidURL, reason: "relative; no default scheme is guessed"),
        Case(url: "https://", code: .invalidURL, reason: "no host"),
        Case(url: "https://user:secret@127.0.0.1/", code: .invalidURL, reason: "credentials in a URL end up in logs"),
        Case(url: "https://user@127.0.0.1/", code: .invalidURL, reason: "a user name alone is still a credential"),
        Case(url: "https://127.0.0.1/\u{0}/x", code: .invalidURL, reason: "a NUL would cut the URL short for curl"),
    ])
    func refused(_ row: Case) throws {
        let client = try BackChannelClient()
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: row.url)) }
        #expect(error?.code == row.code)
        #expect(error?.detail.contains("secret") == false)
    }
}
