import Foundation
import Testing
import TestSupport
@testable import DevProvider

@Suite("dev-idp options")
struct OptionsTests {
    static func validate(_ configure: (inout DevProviderOptions) -> Void) -> DevProviderError? {
        var options = DevProviderOptions()
        configure(&options)
        do {
            _ = try options.validated()
            return nil
        } catch {
            return error
        }
    }

    @Test("a host that is not loopback is refused with exit code 2", arguments: [
        ("0.0.0.0", "every interface"),
        ("::", "every IPv6 interface"),
        ("192.168.1.10", "a LAN address"),
        ("10.0.0.1", "a private address"),
        ("::ffff:10.0.0.1", "an IPv4-mapped non-loopback address"),
        ("example.com", "a name, not an address"),
        ("localhost", "a name: it could resolve to anything"),
        ("", "empty"),
    ])
    func nonLoopbackHost(_ host: String, _ reason: String) {
        let error = Self.validate { $0.host = host }
        #expect(error?.code == .nonLoopbackHost, "\(reason)")
        #expect(error?.exitCode == 2)
    }

    @Test("loopback hosts are accepted", arguments: [
        ("127.0.0.1", "the usual one"), ("127.0.0.2", "all of 127/8 is loopback"), ("::1", "IPv6 loopback"),
        ("::ffff:127.0.0.1", "IPv4 loopback, mapped"),
    ])
    func loopbackHost(_ host: String, _ reason: String) {
        #expect(Self.validate { $0.host = host } == nil, "\(reason)")
    }

    @Test("other bad options are refused with exit code 2", arguments: [
        ("issuer", "ftp://127.0.0.1", DevProviderError.Code.invalidOption, "not http(s)"),
        ("issuer", "http://127.0.0.1:9400?x=1", .invalidOption, "an issuer has no query"),
        ("issuer", "http://127.0.0.1:9400/a%20b", .invalidOption, "a path that is not plain"),
        ("issuer", "http://127.0.0.1:9400/:id", .invalidOption, "a path that would be a route parameter"),
        ("redirect", "http://127.0.0.1:8080/cb#frag", .invalidOption, "redirect URIs have no fragment"),
        ("redirect", "/relative/callback", .invalidOption, "redirect URIs are absolute"),
        ("redirect", "http://user@127.0.0.1/cb", .invalidOption, "no user-info"),
        ("redirect", "", .invalidOption, "empty"),
        ("algorithm", "HS256", .unsupportedAlgorithm, "HMAC would need the client secret as key"),
        ("algorithm", "none", .unsupportedAlgorithm, "never"),
        ("algorithm", "rs256", .unsupportedAlgorithm, "algorithm names are case-sensitive"),
        ("client", "", .invalidOption, "an empty client id"),
        ("secret", "", .invalidOption, "an empty secret"),
    ])
    func badOptions(_ option: String, _ value: String, _ code: DevProviderError.Code, _ reason: String) {
        let error = Self.validate { options in
            switch option {
            case "issuer": options.issuer = value
            case "redirect": options.redirectURIs = [value]
            case "algorithm": options.algorithm = value
            case "client": options.clientID = value
            default: options.clientSecret = value
            }
        }
        #expect(error?.code == code, "\(reason)")
        #expect(error?.exitCode == 2)
    }

    @Test("no redirect URI at all is refused")
    func noRedirectURIs() {
        #expect(Self.validate { $0.redirectURIs = [] }?.code == .invalidOption)
    }

    @Test("a port already taken is a runtime failure, exit code 1")
    func portTaken() throws {
        let running = try RunningDevProvider()
        var options = DevProviderOptions()
        options.port = running.port
        let second = try DevProvider(options: options, logger: .init(label: "test"))
        do {
            try second.start()
            Issue.record("bound a port that is in use")
        } catch {
            #expect(error.code == .cannotListen)
            #expect(error.exitCode == 1)
        }
    }
}

/// The built `gatehouse` binary, run as `make run` and the integration tests will run it.
@Suite("gatehouse dev-idp command", .serialized)
struct DevIdPCommandTests {
    static let binary: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/.build/debug/gatehouse"
    }()

    func launch(_ arguments: [String]) throws -> ChildProcess {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the gatehouse executable first (swift build)")
        return try ChildProcess(Self.binary, ["dev-idp"] + arguments, capture: .separate)
    }

    @Test("a non-loopback --host exits with code 2 and says why")
    func refusesNonLoopback() throws {
        let process = try launch(["--host", "0.0.0.0", "--port", "0"])
        let message = String(decoding: process.errors?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        #expect(process.wait() == 2)
        #expect(message.contains("not a loopback address"), "\(message)")
    }

    /// SIGTERM arrives the moment the banner has been read and one request answered: it must stop
    /// the provider however far its start-up has got (`ShutdownSignals.capture` comes first).
    @Test("with --port 0 it prints the banner and the bound port, serves, and stops cleanly on SIGTERM")
    func startsAndStops() throws {
        let process = try launch(["--port", "0", "--algorithm", "ES256"])
        defer { process.stop() }
        let output = try #require(process.output)
        var banner = ""
        while !banner.contains("\nalgorithm: ") {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        #expect(banner.contains("DEVELOPMENT ONLY. NEVER USE IT IN PRODUCTION."))
        let portLine = try #require(banner.split(separator: "\n").first { $0.hasPrefix("port: ") })
        let port = try #require(UInt16(portLine.dropFirst("port: ".count)))
        #expect(port != 0)
        #expect(banner.contains("issuer: http://127.0.0.1:\(port)\n"))

        let client = try TestClient(port: port)
        try client.send("GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text.contains("\"ES256\""))

        process.signal(SIGTERM)
        #expect(process.wait() == 0, "a clean exit, not a signal's")
    }
}
