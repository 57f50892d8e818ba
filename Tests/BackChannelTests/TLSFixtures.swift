import Foundation
import TestSupport

/// Throwaway certificate authorities and server certificates, made with the `openssl` CLI in a
/// temporary directory, and `openssl s_server` instances presenting them on loopback.
///
/// Nothing here is trusted by the system: every TLS test states its trust explicitly.
final class TLSFixtures {
    let directory: URL

    /// Makes two CAs, A and B, and three server certificates:
    /// `good` (A, for localhost and 127.0.0.1), `wrongName` (A, for other.example only),
    /// `fromB` (B, for localhost and 127.0.0.1).
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("backchannel-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try makeCA("caA")
        try makeCA("caB")
        try makeServer("good", ca: "caA", names: "DNS:localhost,IP:127.0.0.1", serial: "0x1001")
        try makeServer("wrongName", ca: "caA", names: "DNS:other.example", serial: "0x1002")
        try makeServer("fromB", ca: "caB", names: "DNS:localhost,IP:127.0.0.1", serial: "0x2001")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts `openssl s_server -www` with the named certificate on a free loopback port.
    func startServer(certificate name: String) throws -> TLSServer {
        try TLSServer(certificate: path("\(name).pem"), key: path("\(name).key"))
    }

    private func makeCA(_ name: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2", "-subj", "/CN=Gatehouse test \(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func makeServer(_ name: String, ca: String, names: String, serial: String) throws {
        let extensions = "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)",
        ])
        try openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
            "-set_serial", serial, "-days", "2", "-extfile", path("\(name).ext"), "-out", path("\(name).pem"),
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let finished = try ChildProcess.run("/usr/bin/openssl", arguments)
        guard finished.status == 0 else {
            throw SocketFailure(description: "openssl \(arguments[0]) failed: \(finished.output)")
        }
    }
}

/// One `openssl s_server -www` process: it answers `GET /` with `HTTP/1.0 200 ok` and a status page.
final class TLSServer {
    let port: UInt16
    private let process: ChildProcess

    init(certificate: String, key: String) throws {
        // s_server reads commands from stdin: the pipe is kept open and silent.
        process = try ChildProcess(
            "/usr/bin/openssl", ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www"], input: true
        )
        // s_server prints "ACCEPT 127.0.0.1:PORT" once it listens on the port the kernel chose.
        var seen = ""
        guard let reader = process.output else { throw SocketFailure(description: "s_server has no output pipe") }
        while !seen.contains("\n") || !seen.contains("ACCEPT") {
            let data = reader.availableData
            guard !data.isEmpty else { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        guard let line = seen.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
            let portText = line.split(separator: ":").last,
            let port = UInt16(portText.trimmingCharacters(in: .whitespaces))
        else {
            process.stop(graceSeconds: 0)
            throw SocketFailure(description: "s_server did not report its port: \(seen)")
        }
        self.port = port
    }

    deinit {
        process.stop()
    }
}
