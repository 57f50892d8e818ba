import Foundation
import Testing
import Store
import TestSupport

/// The built `gatehouse` binary, run as an operator would run it.
@Suite(.serialized) struct CommandLineTests {
    static let binary = packageRoot + "/.build/debug/gatehouse"

    struct Run {
        let status: Int32
        let output: String
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let finished = try ChildProcess.run(Self.binary, arguments, environment: environment)
        return Run(status: finished.status, output: finished.output)
    }

    func writeConfig(_ json: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("config.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Starts `gatehouse serve` and returns it (its combined output on `output`) and a client
    /// connected to it.
    func startServing(config path: String, port: UInt16) throws -> (ChildProcess, TestClient) {
        let process = try ChildProcess(Self.binary, ["serve", "--config", path])
        for _ in 0..<100 {
            if let client = try? TestClient(port: port) { return (process, client) }
            usleep(50_000)
        }
        process.stop()
        throw TestClient.Failure(description: "gatehouse serve did not start listening on \(port)")
    }

    @Test func checkConfigPrintsEveryProblemWithItsPathAndFails() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try writeConfig(
            #"{"server": {"listen": "nowhere", "public_url": "http://127.0.0.1:8080", "limits": {"body_bytes": "big"}}, "databse": {}}"#,
            in: directory
        )
        let result = try run(["check-config", "--config", path])
        #expect(result.status == 2)
        #expect(result.output.contains("$.server.listen"))
        #expect(result.output.contains("$.server.limits.body_bytes"))
        #expect(result.output.contains("$.databse"))
    }

    @Test func checkConfigAcceptsTheExampleFile() throws {
        let result = try run(["check-config", "--config", packageRoot + "/config.example.json"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func serveRefusesAnInvalidConfiguration() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try writeConfig(#"{"server": {"listen": "127.0.0.1:1", "public_url": "ftp://x"}}"#, in: directory)
        let result = try run(["serve", "--config", path])
        #expect(result.status == 2)
        #expect(result.output.contains("$.server.public_url"))
    }

    /// Review finding: `serve --no-migrate` (and the operator commands) said "pending
    /// migrations; run `gatehouse migrate`" of a database a newer binary had migrated, where
    /// migrating is exactly what must not be done. Each says why it refuses.
    @Test func aDatabaseFromANewerBinaryIsRefusedForWhatItIs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("gatehouse.sqlite3").path
        let path = try writeConfig(
            #"{"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"}, "database": {"path": "\#(database)"}}"#,
            in: directory
        )
        #expect(try run(["migrate", "--config", path]).status == 0)
        let opened = try Database(path: database)
        try opened.write { try $0.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'from_the_future', 'x', 0)") }
        opened.close()
        for arguments in [["serve", "--no-migrate", "--config", path], ["users", "list", "--config", path]] {
            let refused = try run(arguments)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.output.contains("which this binary does not know"), "\(arguments): \(refused.output)")
            #expect(!refused.output.contains("pending migration"), "\(arguments): \(refused.output)")
        }
    }

    @Test func migrateThenMigrateAgainIsANoOp() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("nested/gatehouse.sqlite3").path
        let path = try writeConfig(
            #"{"server": {"listen": "127.0.0.1:1", "public_url": "http://127.0.0.1:1"}, "database": {"path": "\#(database)"}}"#,
            in: directory
        )
        let first = try run(["migrate", "--config", path])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("applied 0001_initial"))
        let second = try run(["migrate", "--config", path])
        #expect(second.status == 0)
        #expect(second.output.contains("database is up to date"))
    }

    @Test func sigtermLetsTheRequestInFlightFinishAndExitsZero() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freePort()
        let path = try writeConfig(
            """
            {"server": {"listen": "127.0.0.1:\(port)", "public_url": "http://127.0.0.1:\(port)", "public_dir": "\(packageRoot)/Public",
                        "metrics_require_token": false},
             "database": {"path": "\(directory.path)/g.sqlite3"}}
            """, in: directory
        )
        let (process, connected) = try startServing(config: path, port: port)
        // Half a request is in flight when SIGTERM arrives; the server waits for the rest. The
        // half is padded to 600 bytes, so /metrics can tell when the server holds it.
        try connected.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: \(String(repeating: "p", count: 560))\r\n")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let probe = try TestClient(port: port)
            try probe.send("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let held = try probe.readResponse().text.split(separator: "\n")
                .first { $0.hasPrefix("gatehouse_http_connection_buffered_bytes_max ") }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            if held >= 600 { break }
            usleep(5_000)
        }
        process.signal(SIGTERM)
        // The listener closes first: once connecting is refused, the shutdown has begun.
        while (try? TestClient(port: port)) != nil && Date() < deadline { usleep(2_000) }
        try connected.send("\r\n")
        let response = try connected.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        let output = String(decoding: process.output?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        #expect(process.wait() == 0)
        #expect(output.contains("msg=stopped"))
    }

    @Test func requestLogLinesCarryNoQueryStringOrCookie() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freePort()
        let path = try writeConfig(
            """
            {"server": {"listen": "127.0.0.1:\(port)", "public_url": "http://127.0.0.1:\(port)"},
             "database": {"path": "\(directory.path)/g.sqlite3"}, "logging": {"format": "json"}}
            """, in: directory
        )
        let (process, connected) = try startServing(config: path, port: port)
        try connected.send("GET /healthz?code=SECRETCODE&state=SECRETSTATE HTTP/1.1\r\nHost: t\r\nCookie: gatehouse_session=SECRETCOOKIE\r\nConnection: close\r\n\r\n")
        #expect(try connected.readResponse().status == 200)
        process.signal(SIGTERM)
        let output = String(decoding: process.output?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        process.wait()
        let requestLine = try #require(output.split(separator: "\n").first { $0.contains("\"msg\":\"request\"") })
        #expect(requestLine.contains("\"path\":\"/healthz\""))
        #expect(requestLine.contains("\"status\":\"200\""))
        #expect(requestLine.contains("\"request_id\""))
        #expect(!output.contains("SECRET"))
    }

    /// Issue 12 section 1: every connection holds a descriptor, so `serve` raises its soft
    /// open-file limit as far as the hard limit allows and logs what it obtained.
    @Test func serveRaisesItsOpenFileLimitAndSaysSo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freePort()
        let path = try writeConfig(
            """
            {"server": {"listen": "127.0.0.1:\(port)", "public_url": "http://127.0.0.1:\(port)", "max_connections": 100000},
             "database": {"path": "\(directory.path)/g.sqlite3"}, "logging": {"format": "json"}}
            """, in: directory
        )
        var hard = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &hard)
        let process = try ChildProcess("/bin/sh", ["-c", "ulimit -Sn 256 && exec \"$0\" serve --config \"$1\"", Self.binary, path])
        var connected: TestClient?
        for _ in 0..<100 where connected == nil {
            connected = try? TestClient(port: port)
            if connected == nil { usleep(50_000) }
        }
        #expect(connected != nil)
        process.signal(SIGTERM)
        let output = String(decoding: process.output?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        process.wait()
        let line = try #require(output.split(separator: "\n").first { $0.contains("\"msg\":\"open-file limit\"") }, "\(output)")
        #expect(line.contains("\"soft_before\":\"256\""))
        #expect(line.contains("\"soft\":\"\(hard.rlim_max)\""))
        if UInt64(hard.rlim_max) < 100_064 {
            #expect(output.contains("below server.max_connections"), "a limit too low for the configuration is warned about")
        }
    }
}

/// A port reserved for this test process (see `ExternalServer.freePort`).
func freePort() throws -> UInt16 {
    try ExternalServer.freePort()
}
