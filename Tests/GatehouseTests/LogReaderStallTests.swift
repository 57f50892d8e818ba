import Foundation
import Testing
import TestSupport

/// Review finding: the event loops wrote their log lines to standard error themselves, so a log
/// reader that stopped reading (journald hung, a full pipe) stopped every loop, and with them
/// their deadline sweeps. The lines are now written by the log's own thread, from a bounded
/// buffer: the server goes on answering, drops what does not fit, and says how many it dropped
/// once the reader catches up.
@Suite(.serialized) struct LogReaderStallTests {
    @Test func aLogReaderThatStopsReadingStopsNothing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try ExternalServer.freePort()
        // Info: every request is a line, its path in it.
        let config = try writeServeConfig(in: directory, port: port, logLevel: "info")
        // Standard error into a pipe this test does not read until the end: 64 KiB fill it.
        let serve = try ChildProcess(CommandLineTests.binary, ["serve", "--config", config], capture: .combined)
        defer { serve.stop() }
        let client = try Self.connect(port: port)
        // 3,000 requests for a path of 1,000 bytes, which each line repeats: 3 MB of lines, past
        // the pipe and three times the sink's buffer.
        let path = "/" + String(repeating: "a", count: 1_000)
        var answered = 0
        for _ in 0..<3_000 {
            try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            if try client.readResponse().status == 404 { answered += 1 }
        }
        #expect(answered == 3_000, "every request answered while the log's reader read nothing")

        // The reader catches up: the lines that fitted, then how many were dropped.
        let output = try #require(serve.output)
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("log line(s) dropped") && Date() < deadline {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text.contains("log line(s) dropped: the log's reader fell behind"))
    }

    /// The server, once it answers.
    private static func connect(port: UInt16) throws -> TestClient {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let client = try? TestClient(port: port, timeoutSeconds: 10) { return client }
            usleep(20_000)
        }
        throw TestClient.Failure(description: "serve did not listen")
    }
}
