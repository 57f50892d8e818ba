import Foundation
import HTTP
import Synchronization
import Testing
@testable import BackChannel

/// What goes out is what the caller gave; what comes back is the final response, unfollowed.
@Suite struct RequestAndResponseTests {
    /// The token request's shape: a form body and client authentication in a header.
    @Test func postSendsHeadersAndBodyAsGiven() throws {
        let (server, port) = try startHTTPServer()
        defer { server.shutdown() }
        let client = try BackChannelClient(settings: BackChannelSettings(userAgent: "Gatehouse-test/1"))
        let form = "grant_type=authorization_code&code=abc%20def&redirect_uri=https%3A%2F%2Fgh.example%2Fcb"
        let response = try client.send(BackChannelRequest(
            method: .post, url: "http://127.0.0.1:\(port)/token",
            headers: [
                BackChannelHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                BackChannelHeader(name: "Authorization", value: "Basic Y2xpZW50OnNlY3JldA=="),
                BackChannelHeader(name: "Accept", value: "application/json"),
                BackChannelHeader(name: "X-Empty", value: ""),
            ],
            body: Array(form.utf8)
        ))
        #expect(response.status == 200)
        let echoed = String(decoding: response.body, as: UTF8.self)
        let parts = echoed.components(separatedBy: "\n\n")
        try #require(parts.count == 2)
        let lines = parts[0].components(separatedBy: "\n")
        #expect(lines.first == "POST /token")
        #expect(lines.contains("Content-Type: application/x-www-form-urlencoded"))
        #expect(lines.contains("Authorization: Basic Y2xpZW50OnNlY3JldA=="))
        #expect(lines.contains("Accept: application/json"))
        #expect(lines.contains("X-Empty: "))
        #expect(lines.contains("User-Agent: Gatehouse-test/1"))
        #expect(lines.contains("Content-Length: \(form.utf8.count)"))
        #expect(!lines.contains { $0.lowercased().hasPrefix("expect:") }, "no 100-continue round trip")
        #expect(parts[1] == form)
    }

    @Test func emptyPostSendsAnEmptyBody() throws {
        let (server, port) = try startHTTPServer()
        defer { server.shutdown() }
        let response = try BackChannelClient().send(BackChannelRequest(method: .post, url: "http://127.0.0.1:\(port)/e"))
        let echoed = String(decoding: response.body, as: UTF8.self)
        #expect(echoed.hasPrefix("POST /e\n"))
        #expect(echoed.contains("Content-Length: 0\n"))
        #expect(echoed.hasSuffix("\n\n"))
    }

    @Test func getSendsNoBodyAndTheQueryAsGiven() throws {
        let (server, port) = try startHTTPServer()
        defer { server.shutdown() }
        let response = try BackChannelClient().send(BackChannelRequest(url: "http://127.0.0.1:\(port)/jwks?a=1&b=%2F"))
        let echoed = String(decoding: response.body, as: UTF8.self)
        #expect(echoed.hasPrefix("GET /jwks?a=1&b=%2F\n"))
        #expect(!echoed.contains("Content-Length"))
    }

    /// A redirect could carry the client secret to another host: it is returned, never followed.
    @Test func redirectsAreReturnedNotFollowed() throws {
        let targetHits = Atomic<Int>(0)
        let (server, port) = try startHTTPServer(responder: ClosureResponder { request in
            if request.path == "/target" {
                targetHits.add(1, ordering: .relaxed)
                return Response(status: .ok, body: Array("followed".utf8))
            }
            return Response(status: .found, headers: ["Location": "/target"], body: Array("moved".utf8))
        })
        defer { server.shutdown() }
        let response = try BackChannelClient().send(BackChannelRequest(method: .post, url: "http://127.0.0.1:\(port)/token"))
        #expect(response.status == 302)
        #expect(response.header("Location") == "/target")
        #expect(response.body == Array("moved".utf8))
        #expect(targetHits.load(ordering: .relaxed) == 0)
    }

    /// Errors are the provider's to explain; the status comes back like any other.
    @Test func errorStatusesAreResponses() throws {
        let (server, port) = try startHTTPServer(responder: ClosureResponder { _ in
            Response(status: .badRequest, headers: ["Content-Type": "application/json"], body: Array(#"{"error":"invalid_grant"}"#.utf8))
        })
        defer { server.shutdown() }
        let response = try BackChannelClient().send(BackChannelRequest(method: .post, url: "http://127.0.0.1:\(port)/token"))
        #expect(response.status == 400)
        #expect(response.header("content-type") == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"invalid_grant"}"#)
    }

    @Test func responseHeadersAreLowerCasedInArrivalOrder() throws {
        let server = try ScriptedServer(
            reply: "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Mixed-Case: Value \r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok",
            ending: .closeAfterReply)
        defer { server.stop() }
        let response = try BackChannelClient().send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/"))
        #expect(response.headers == [
            BackChannelHeader(name: "set-cookie", value: "a=1"),
            BackChannelHeader(name: "x-mixed-case", value: "Value"),
            BackChannelHeader(name: "set-cookie", value: "b=2"),
            BackChannelHeader(name: "content-length", value: "2"),
        ])
        #expect(response.header("SET-COOKIE") == "a=1", "lookup is case-insensitive and gives the first value")
        #expect(response.header("x-missing") == nil)
        #expect(response.body == Array("ok".utf8))
    }

    /// Headers of an interim response are not the response's headers.
    @Test func onlyTheFinalResponsesHeadersAreKept() throws {
        let server = try ScriptedServer(
            reply: "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nX-Final: 1\r\nContent-Length: 2\r\n\r\nok",
            ending: .closeAfterReply)
        defer { server.stop() }
        let response = try BackChannelClient().send(BackChannelRequest(method: .post, url: "http://127.0.0.1:\(server.port)/", body: [1]))
        #expect(response.status == 200)
        #expect(response.headers == [
            BackChannelHeader(name: "x-final", value: "1"), BackChannelHeader(name: "content-length", value: "2"),
        ])
    }

    /// Chunked trailers arrive through the same callback after the body; they are not header fields.
    @Test func chunkedTrailersAreNotHeaders() throws {
        let server = try ScriptedServer(
            reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                + "2\r\nok\r\n0\r\nX-Checksum: abc\r\n\r\n",
            ending: .closeAfterReply)
        defer { server.stop() }
        let response = try BackChannelClient().send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/"))
        #expect(response.body == Array("ok".utf8))
        #expect(response.header("x-checksum") == nil)
        #expect(response.header("trailer") == "X-Checksum")
    }

    /// The pool keeps handles, and with them open connections, between calls.
    @Test func consecutiveCallsReuseTheConnection() throws {
        let server = try ScriptedServer(reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ending: .keepOpen)
        defer { server.stop() }
        let client = try BackChannelClient()
        for _ in 0..<3 {
            #expect(try client.send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/")).status == 200)
        }
        #expect(server.acceptedConnections == 1)
    }

    /// A cookie a provider sets must not ride along on later calls, possibly for another user.
    @Test func cookiesAreNotKept() throws {
        let (server, port) = try startHTTPServer(responder: ClosureResponder { request in
            if request.path == "/set" { return Response(status: .ok, headers: ["Set-Cookie": "session=abc; Path=/"]) }
            return echoResponder.respond(to: request)
        })
        defer { server.shutdown() }
        let client = try BackChannelClient()
        _ = try client.send(BackChannelRequest(url: "http://127.0.0.1:\(port)/set"))
        let echoed = String(decoding: try client.send(BackChannelRequest(url: "http://127.0.0.1:\(port)/echo")).body, as: UTF8.self)
        #expect(!echoed.lowercased().contains("cookie"))
    }

    struct BadRequestCase: Sendable, CustomTestStringConvertible {
        let request: BackChannelRequest
        let reason: String
        var testDescription: String { reason }
    }

    @Test(arguments: [
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "X-A", value: "1\r\nX-Injected: SECRETVALUE")]),
            reason: "CRLF in a value would add a header of the attacker's choosing"),
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "X-A", value: "SECRETVALUE\n")]),
            reason: "a bare LF is a line end to many servers"),
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "X A", value: "SECRETVALUE")]),
            reason: "a space is not allowed in a field name"),
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "", value: "SECRETVALUE")]),
            reason: "an empty field name"),
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "Content-Length", value: "5")]),
            reason: "framing is curl's: a wrong length would desynchronise the connection"),
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "host", value: "other.example")]),
            reason: "the host is the URL's"),
        BadRequestCase(
            request: BackChannelRequest(url: "http://127.0.0.1:1/", headers: [BackChannelHeader(name: "Transfer-Encoding", value: "chunked")]),
            reason: "framing is curl's"),
        BadRequestCase(
            request: BackChannelRequest(method: .get, url: "http://127.0.0.1:1/", body: Array("SECRETVALUE".utf8)),
            reason: "a GET has no body"),
    ])
    func invalidRequestsAreRefusedWithoutShowingValues(_ row: BadRequestCase) throws {
        let error = #expect(throws: BackChannelError.self) { try BackChannelClient().send(row.request) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.detail.contains("SECRETVALUE") == false)
    }
}
