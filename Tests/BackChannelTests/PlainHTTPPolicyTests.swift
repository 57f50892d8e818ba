import HTTP
import Testing
@testable import BackChannel

/// Plain http carries the client secret in clear text, so it goes only to loopback, and only
/// when the policy allows; the check runs on curl's own parse of the URL, before any connection.
@Suite struct PlainHTTPPolicyTests {
    struct HostCase: Sendable, CustomTestStringConvertible {
        let host: String
        let loopback: Bool
        let reason: String
        var testDescription: String { "\(host): \(reason)" }
    }

    @Test(arguments: [
        HostCase(host: "localhost", loopback: true, reason: "the loopback name"),
        HostCase(host: "LocalHost", loopback: true, reason: "host names are case-insensitive"),
        HostCase(host: "127.0.0.1", loopback: true, reason: "the usual loopback address"),
        HostCase(host: "127.255.3.4", loopback: true, reason: "all of 127.0.0.0/8 is loopback"),
        HostCase(host: "[::1]", loopback: true, reason: "IPv6 loopback as curl reports it, in brackets"),
        HostCase(host: "[0:0:0:0:0:0:0:1]", loopback: true, reason: "IPv6 loopback written out in full"),
        HostCase(host: "128.0.0.1", loopback: false, reason: "just outside 127.0.0.0/8"),
        HostCase(host: "10.0.0.1", loopback: false, reason: "private, but on the network"),
        HostCase(host: "localhost.example", loopback: false, reason: "a DNS name that merely starts with localhost"),
        HostCase(host: "foo.localhost", loopback: false, reason: "only the exact name, never a resolver's idea of loopback"),
        HostCase(host: "127.0.0.1.nip.io", loopback: false, reason: "a DNS name that resolves to loopback today"),
        HostCase(host: "[::ffff:127.0.0.1]", loopback: false, reason: "IPv4-mapped forms are not accepted"),
        HostCase(host: "[::2]", loopback: false, reason: "not the loopback address"),
        HostCase(host: "::1", loopback: false, reason: "curl always brackets IPv6; an unbracketed form is not what it reported"),
        HostCase(host: "", loopback: false, reason: "no host at all"),
    ])
    func loopbackRecognition(_ row: HostCase) {
        #expect(LoopbackHost.contains(row.host) == row.loopback)
        #expect(PlainHTTPPolicy.loopbackOnly.permitsPlainHTTP(toHost: row.host) == row.loopback)
        #expect(PlainHTTPPolicy.refused.permitsPlainHTTP(toHost: row.host) == false)
    }

    struct URLCase: Sendable, CustomTestStringConvertible {
        let url: String
        let reason: String
        var testDescription: String { "\(url): \(reason)" }
    }

    /// Each of these would reach the network (and fail to resolve or connect) if the policy were not
    /// applied first; refusing with `plainHTTPRefused` shows it was.
    @Test(arguments: [
        URLCase(url: "http://example.com/", reason: "an ordinary remote host"),
        URLCase(url: "http://localhost.example/", reason: "a name that starts like loopback"),
        URLCase(url: "http://127.0.0.1.nip.io/", reason: "a name that resolves to loopback"),
        URLCase(url: "http://[::ffff:127.0.0.1]/", reason: "IPv4-mapped IPv6"),
        URLCase(url: "http://evil.example#@127.0.0.1/", reason: "the part after # is a fragment, not the host"),
        URLCase(url: "http://evil.example?@127.0.0.1/", reason: "the part after ? is a query, not the host"),
        URLCase(url: "HTTP://example.com/", reason: "the scheme is case-insensitive"),
    ])
    func remotePlainHTTPIsRefusedBeforeConnecting(_ row: URLCase) throws {
        let client = try BackChannelClient()
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: row.url)) }
        #expect(error?.code == .plainHTTPRefused)
        let checked = #expect(throws: BackChannelError.self) { try client.checkDestination(row.url) }
        #expect(checked?.code == .plainHTTPRefused, "the start-up check agrees with send")
    }

    @Test func destinationCheckAcceptsWhatSendWouldTry() throws {
        let client = try BackChannelClient()
        try client.checkDestination("https://accounts.example.com/.well-known/openid-configuration")
        try client.checkDestination("http://127.0.0.1:9000/")
        try client.checkDestination("http://[::1]:9000/")
        let strict = try BackChannelClient(settings: BackChannelSettings(plainHTTP: .refused))
        #expect(throws: BackChannelError.self) { try strict.checkDestination("http://127.0.0.1:9000/") }
    }

    @Test func loopbackPlainHTTPIsAllowedByDefault() throws {
        let (server, port) = try startHTTPServer()
        defer { server.shutdown() }
        let client = try BackChannelClient()
        for host in ["127.0.0.1", "localhost"] {
            let response = try client.send(BackChannelRequest(url: "http://\(host):\(port)/x"))
            #expect(response.status == 200)
        }
    }

    /// curl rewrites other numeric spellings to the dotted quad it connects to; the check sees that.
    @Test(arguments: ["0x7f.1", "127.1", "2130706433"])
    func numericLoopbackSpellingsAreNormalisedByCurl(_ host: String) throws {
        let (server, port) = try startHTTPServer()
        defer { server.shutdown() }
        let response = try BackChannelClient().send(BackChannelRequest(url: "http://\(host):\(port)/x"))
        #expect(response.status == 200)
    }

    @Test func refusedPolicyRefusesEvenLoopback() throws {
        let (server, port) = try startHTTPServer()
        defer { server.shutdown() }
        let client = try BackChannelClient(settings: BackChannelSettings(plainHTTP: .refused))
        let error = #expect(throws: BackChannelError.self) {
            try client.send(BackChannelRequest(url: "http://127.0.0.1:\(port)/x"))
        }
        #expect(error?.code == .plainHTTPRefused)
    }
}
