import HTTP
import Testing
@testable import BackChannel

/// A provider (or whoever answers in its place) cannot make Gatehouse buffer without limit.
@Suite struct ResponseSizeTests {
    private func bodyServer(bytes: Int) throws -> (HTTPServer, UInt16) {
        try startHTTPServer(responder: ClosureResponder { _ in
            Response(status: .ok, body: [UInt8](repeating: UInt8(ascii: "x"), count: bytes))
        })
    }

    @Test func bodyOfExactlyTheCapIsAccepted() throws {
        let (server, port) = try bodyServer(bytes: 4096)
        defer { server.shutdown() }
        let client = try BackChannelClient(settings: BackChannelSettings(maxResponseBytes: 4096))
        #expect(try client.send(BackChannelRequest(url: "http://127.0.0.1:\(port)/")).body.count == 4096)
    }

    @Test func bodyOneByteOverTheCapIsRefused() throws {
        let (server, port) = try bodyServer(bytes: 4097)
        defer { server.shutdown() }
        let client = try BackChannelClient(settings: BackChannelSettings(maxResponseBytes: 4096))
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: "http://127.0.0.1:\(port)/")) }
        #expect(error?.code == .responseTooLarge)
    }

    /// The announced length alone is enough: the server sends three bytes of a promised 100 MB and
    /// waits. Without the early check the client would sit there until its timeout.
    @Test func announcedOversizedLengthIsRefusedAtOnce() throws {
        let server = try ScriptedServer(reply: "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\nabc", ending: .keepOpen)
        defer { server.stop() }
        let client = try BackChannelClient(settings: BackChannelSettings(totalTimeoutMilliseconds: 5_000, maxResponseBytes: 1024))
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/")) }
        #expect(error?.code == .responseTooLarge)
    }

    /// No Content-Length at all (the body ends when the connection does): the cap is enforced as
    /// bytes arrive.
    @Test func unannouncedOversizedBodyIsCutOff() throws {
        let reply = Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: 256 * 1024)
        let server = try ScriptedServer(reply: reply, ending: .closeAfterReply)
        defer { server.stop() }
        let client = try BackChannelClient(settings: BackChannelSettings(maxResponseBytes: 1024))
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/")) }
        #expect(error?.code == .responseTooLarge)
    }

    @Test func chunkedOversizedBodyIsCutOff() throws {
        let chunk = "400\r\n" + String(repeating: "b", count: 1024) + "\r\n"
        let reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: chunk, count: 64) + "0\r\n\r\n"
        let server = try ScriptedServer(reply: reply, ending: .closeAfterReply)
        defer { server.stop() }
        let client = try BackChannelClient(settings: BackChannelSettings(maxResponseBytes: 2048))
        let error = #expect(throws: BackChannelError.self) { try client.send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/")) }
        #expect(error?.code == .responseTooLarge)
        #expect(error?.detail.contains("bbbb") == false, "the body never appears in the error")
    }

    @Test func endlessHeadersAreCutOff() throws {
        let header = "X-Filler: " + String(repeating: "h", count: 1000) + "\r\n"
        let reply = "HTTP/1.1 200 OK\r\n" + String(repeating: header, count: 80) + "Content-Length: 0\r\n\r\n"
        let server = try ScriptedServer(reply: reply, ending: .closeAfterReply)
        defer { server.stop() }
        let error = #expect(throws: BackChannelError.self) {
            try BackChannelClient().send(BackChannelRequest(url: "http://127.0.0.1:\(server.port)/"))
        }
        #expect(error?.code == .responseTooLarge, "\(String(describing: error))")
    }
}
