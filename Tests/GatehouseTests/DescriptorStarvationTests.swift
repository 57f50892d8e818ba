import Foundation
import Testing
import TestSupport

/// Review finding: when the process ran out of descriptors, accept failed with EMFILE and the
/// listening socket stayed readable, so every event loop spun at a whole core until a descriptor
/// was freed; a client holding enough connections could keep it so. The listener now rests
/// until the loop's next sweep, each failure is counted in `/metrics`, and accepting resumes by
/// itself once descriptors are free.
@Suite(.serialized) struct DescriptorStarvationTests {
    @Test func aServerOutOfDescriptorsRestsItsListenerAndResumes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try ExternalServer.freePort()
        let config = try writeServeConfig(in: directory, port: port, serverExtra: #", "metrics_require_token": false"#, logLevel: "warning")
        // 64 descriptors: the database, the loops and the listener take some; a few dozen
        // connections take the rest.
        let serve = try ChildProcess(
            "/usr/bin/prlimit", ["--nofile=64:64", "--", CommandLineTests.binary, "serve", "--config", config],
            capture: .file(directory.path + "/serve.log")
        )
        defer { serve.stop() }
        #expect(try Self.status(of: "/healthz", port: port, within: 30) == 200)

        // More connections than descriptors: the last ones wait in the backlog, unaccepted.
        var held: [TestClient] = []
        for _ in 0..<120 { held.append(try TestClient(port: port, timeoutSeconds: 10)) }
        // While they wait, the loops sweep four times a second; give them a second of it.
        let waited = Date().addingTimeInterval(1)
        while Date() < waited { usleep(50_000) }
        held.removeAll()

        let resumed = try Self.status(of: "/healthz", port: port, within: 30)
        let log = (try? String(contentsOfFile: directory.path + "/serve.log", encoding: .utf8)) ?? ""
        try #require(
            resumed == 200,
            "accepting resumed once descriptors were free; serve running: \(serve.isRunning), exit status \(serve.exitStatus.map(String.init) ?? "none"), its log: \(log.suffix(3000))"
        )
        let metrics = try Self.get("/metrics", port: port)
        let line = try #require(metrics.text.split(separator: "\n").first { $0.hasPrefix("gatehouse_http_connections_rejected_total{limit=\"descriptors\"}") })
        let failures = Int(line.split(separator: " ").last ?? "") ?? -1
        #expect(failures > 0, "the server did run out of descriptors")
        // A spinning loop fails thousands of times a second; a resting one a few times per sweep.
        #expect(failures < 200, "\(failures) failed accepts in about a second")
        #expect(log.components(separatedBy: "no descriptor free").count - 1 == 1, "one warning, not one per failure")
    }

    private static func get(_ path: String, port: UInt16) throws -> TestClient.Response {
        let client = try TestClient(port: port, timeoutSeconds: 10)
        try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        return try client.readResponse()
    }

    private static func status(of path: String, port: UInt16, within seconds: Double) throws -> Int? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let response = try? get(path, port: port) { return response.status }
            usleep(20_000)
        }
        return nil
    }
}
