import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A server process started for a test (the development provider, oidc-provider-mock,
/// nginx): started, waited for until its port answers, and stopped with SIGTERM.
public final class ExternalServer {
    public let process: ChildProcess
    public let port: UInt16
    public let logPath: String

    /// Starts `executable` and waits until `port` on 127.0.0.1 accepts connections.
    /// Output goes to `logPath`, which a failing test can print.
    public init(
        executable: String, arguments: [String], port: UInt16,
        environment: [String: String] = [:], logPath: String, readyWithinSeconds: Double = 30
    ) throws {
        self.port = port
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = try ChildProcess(executable, arguments, environment: environment, capture: .file(logPath), keepGatehouseVariables: true)
        let deadline = Date().addingTimeInterval(readyWithinSeconds)
        while Date() < deadline {
            if (try? TestClient(port: port, timeoutSeconds: 1)) != nil { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw TestClient.Failure(description: "\(executable) did not listen on port \(port); its output:\n\(output)")
    }

    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// SIGTERM, then SIGKILL after `graceSeconds`: a server that waits for idle keep-alive
    /// connections (uvicorn does) must not hang the test run.
    public func stop(graceSeconds: Double = 1) {
        process.stop(graceSeconds: graceSeconds)
    }

    deinit { stop() }

    /// A port on 127.0.0.1 that nothing else in this machine will be given: a socket with
    /// SO_REUSEADDR stays bound to it (never listening) for the rest of the test process.
    ///
    /// A port picked "free" and released before the server binds it could be handed to any
    /// other `bind(0)` meanwhile (another test's provider, another rig) about one time in
    /// fourteen thousand, and a run makes hundreds of rigs. A bound port is never handed out by
    /// `bind(0)`, while a server that sets SO_REUSEADDR (Gatehouse, nginx, Caddy, uvicorn do)
    /// may still bind it and listen. Connecting to it before a server listens is refused at
    /// once, which is what a test of "nothing listens here" needs.
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestClient.Failure(description: "socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw TestClient.Failure(description: "bind failed: errno \(errno)")
        }
        reservations.withLock { $0.append(fd) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The reserving sockets, kept open (and so their ports taken) until the process ends.
    private static let reservations = Mutex<[Int32]>([])
}
