import Foundation
import Testing
import TestSupport
@testable import Gatehouse

/// Issue 12 section 6: a binary that runs from anywhere. Before, `gatehouse serve` started
/// outside the checkout failed with "cannot load the page templates: Public/templates".
@Suite(.serialized) struct InstallTests {
    @Test func theEmbeddedPagesAreThoseOfPublic() throws {
        let templates = URL(fileURLWithPath: packageRoot + "/Public/templates")
        for file in try FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil) where file.pathExtension == "html" {
            let name = file.deletingPathExtension().lastPathComponent
            #expect(EmbeddedPublic.templates[name] == (try String(contentsOf: file, encoding: .utf8)), "\(name): run scripts/embed-public")
        }
        let css = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Public/static/app.css"))
        #expect(EmbeddedPublic.staticFiles["app.css"].flatMap { Data(base64Encoded: $0) } == css, "run scripts/embed-public")
    }

    @Test func makeInstallGivesABinaryThatServesFromAnyDirectory() throws {
        let prefix = try temporaryDirectory()
        let elsewhere = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: prefix)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        let installed = try ChildProcess.run("/usr/bin/make", [
            "-C", packageRoot, "--no-print-directory", "install", "PREFIX=\(prefix.path)", "INSTALL_BIN=\(CommandLineTests.binary)",
        ])
        #expect(installed.status == 0, "\(installed.output)")
        let binary = prefix.path + "/bin/gatehouse"
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        #expect(FileManager.default.fileExists(atPath: prefix.path + "/etc/gatehouse/config.example.json"))
        let unit = try String(contentsOfFile: prefix.path + "/lib/systemd/system/gatehouse.service", encoding: .utf8)
        for line in [
            "ExecStart=\(prefix.path)/bin/gatehouse serve --config \(prefix.path)/etc/gatehouse/config.json",
            "DynamicUser=yes", "StateDirectory=gatehouse", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes",
            "CapabilityBoundingSet=", "LimitNOFILE=65536",
        ] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "the unit lacks \(line)")
        }
        #expect(!unit.contains("@BINDIR@") && !unit.contains("@CONFDIR@"))

        // From another working directory, with no Public/ anywhere near: pages and assets are built in.
        let port = try freePort()
        let config = elsewhere.appendingPathComponent("config.json").path
        try Data("""
            {"server": {"listen": "127.0.0.1:\(port)", "public_url": "http://127.0.0.1:\(port)"},
             "database": {"path": "\(elsewhere.path)/gatehouse.sqlite3"}}
            """.utf8).write(to: URL(fileURLWithPath: config))
        let serve = try ChildProcess("/bin/sh", ["-c", "cd \"$0\" && exec \"$1\" serve --config config.json", elsewhere.path, binary])
        defer { serve.stop() }
        var client: TestClient?
        for _ in 0..<100 where client == nil {
            client = try? TestClient(port: port)
            if client == nil { usleep(50_000) }
        }
        let login = try #require(client)
        try login.send("GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let page = try login.readResponse()
        #expect(page.status == 200)
        #expect(page.text.contains("csrf_token"))
        let asset = try TestClient(port: port)
        try asset.send("GET /static/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let css = try asset.readResponse()
        #expect(css.status == 200)
        #expect(css.header("Content-Type")?.hasPrefix("text/css") == true)
        serve.signal(SIGTERM)
        #expect(serve.wait() == 0)
    }
}
