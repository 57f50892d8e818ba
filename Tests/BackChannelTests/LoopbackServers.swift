import Foundation
import HTTP
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A responder made from a closure, so each test states what the provider answers.
struct ClosureResponder: Responder {
    let body: @Sendable (Request) -> Response
    func respond(to request: Request) -> Response { body(request) }
}

/// Echoes what arrived: the request line, every header field as `name: value`, a blank line, the body.
let echoResponder = ClosureResponder { request in
    var text = "\(request.method) \(request.target)\n"
    for field in request.headers { text += "\(field.name): \(field.value)\n" }
    text += "\n" + String(decoding: request.body, as: UTF8.self)
    return Response(status: .ok, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
}

/// Our own HTTP server on a free loopback port, standing in for a provider speaking plain http.
func startHTTPServer(responder: any Responder = echoResponder) throws -> (HTTPServer, UInt16) {
    var logger = Logger(label: "backchannel-test")
    logger.logLevel = .critical
    let server = HTTPServer(
        configuration: HTTPServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: 0)]),
        responder: responder, logger: logger, metrics: HTTPMetrics()
    )
    try server.start()
    return (server, server.boundAddresses[0].port)
}

struct SocketFailure: Error, CustomStringConvertible {
    let description: String
}

/// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
func listeningSocket() throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketFailure(description: "socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
        close(fd)
        throw SocketFailure(description: "bind/listen: errno \(errno)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}

/// Listens but never accepts or answers: the kernel completes the handshake, the request goes
/// nowhere, and only the client's own timeout can end the wait.
final class SilentListener {
    let port: UInt16
    private let fd: Int32

    init() throws {
        (fd, port) = try listeningSocket()
    }

    deinit { close(fd) }
}

/// A server that answers every request with the exact bytes a test scripts, so tests can send what
/// our HTTP server never would: interim responses, trailers, lying Content-Length, no length at all.
final class ScriptedServer: @unchecked Sendable {
    enum Ending {
        /// Close after the reply: the body, if it has no length, ends with the connection.
        case closeAfterReply
        /// Keep the connection and answer the next request the same way, until the client leaves.
        case keepOpen
    }

    let port: UInt16
    private let listenFD: Int32
    private let reply: [UInt8]
    private let ending: Ending
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var accepted = 0

    init(reply: [UInt8], ending: Ending) throws {
        (listenFD, port) = try listeningSocket()
        self.reply = reply
        self.ending = ending
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    convenience init(reply: String, ending: Ending) throws {
        try self.init(reply: Array(reply.utf8), ending: ending)
    }

    /// How many TCP connections have been accepted so far.
    var acceptedConnections: Int { lock.withLock { accepted } }

    /// Wakes every thread of this server; each closes its own descriptor on the way out. Closing
    /// them here instead would let the numbers be reused by another test's sockets while a thread
    /// still holds them.
    func stop() {
        lock.withLock {
            shutdown(listenFD, Int32(SHUT_RDWR))
            clients.forEach { shutdown($0, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer { close(listenFD) }
        while true {
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { return }
            lock.withLock {
                clients.append(client)
                accepted += 1
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer {
            lock.withLock {
                clients.removeAll { $0 == client }
                close(client)
            }
        }
        var pending: [UInt8] = []
        while readRequestHead(client, into: &pending) {
            writeAll(client, reply)
            if ending == .closeAfterReply { return }
        }
    }

    /// Reads until a blank line ends a request head; false when the client closed first.
    private func readRequestHead(_ client: Int32, into pending: inout [UInt8]) -> Bool {
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let range = pending.firstRange(of: end) {
                pending.removeSubrange(..<range.upperBound)
                return true
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    private func writeAll(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }  // the client gave up, which some tests want
            offset += sent
        }
    }
}
