import Crypto
import Dispatch
import Foundation
import Store
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15 section 1: a slow directory never blocks other requests. Password attempts a
/// directory is asked first for run on that directory's own executor; a directory that hangs
/// fills only it, and a local account still signs in.
@Suite(.serialized) struct DirectoryExecutorTests {
    /// A TCP port on loopback that takes connections (the kernel's backlog) and never answers:
    /// a directory server that hangs. Closing it resets every connection waiting on it.
    ///
    /// `stop` closes the socket once, however often it is called: a second `close` of the same
    /// number ends whatever another test's thread opened under it meanwhile (seen as a SQLite
    /// "disk I/O error" in an unrelated suite, once in about ten full runs).
    final class SilentServer: Sendable {
        private let listening: Mutex<Int32?>
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 512) == 0 else { throw TestClient.Failure(description: "silent server: \(errno)") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            listening = Mutex(fd)
            port = UInt16(bigEndian: address.sin_port)
        }

        func stop() {
            guard let fd = listening.withLock({ fd in defer { fd = nil }; return fd }) else { return }
            close(fd)
        }
    }

    @Test func aHangingDirectoryFillsOnlyItsOwnExecutor() throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let port = try ExternalServer.freePort()
        let origin = "http://127.0.0.1:\(port)"
        let gatehouse = try RunningGatehouse(
            port: port, serverExtra: #", "trusted_proxies": ["127.0.0.1"], "metrics_require_token": false"#,
            sections: """
                , "directories": [{"slug": "slow", "name": "Slow", "uris": ["ldap://127.0.0.1:\(silent.port)"], "start_tls": false,
                  "bind_dn": "cn=gatehouse,dc=example,dc=org", "bind_password": "service-secret", "base_dn": "dc=example,dc=org",
                  "connect_timeout_seconds": 60, "operation_timeout_seconds": 120, "total_timeout_seconds": 120}]
                """
        )
        defer { gatehouse.stop() }
        let hash = try PasswordHash.make(password: Array("alice's long password".utf8), parameters: PasswordLoginTests.testParameters)
        try gatehouse.database.write { connection in
            let user = try UserRepository(connection).create(username: "alice", email: nil, emailVerifiedBy: nil, displayName: nil, now: 1)
            try UserRepository(connection).setPasswordHash(userID: user.id, hash: hash, now: 1)
        }
        @Sendable func submit(_ identifier: String, _ password: String) throws -> BrowserClient.Page {
            let browser = BrowserClient()
            return try postLoginForm(try browser.get("\(origin)/login"), identifier: identifier, password: password, origin: origin, browser: browser)
        }

        // More people nobody local knows than the password executor could ever hold (a thread
        // per core and 32 queued): each is the directory's, and each hangs on it.
        let attempts = 40
        let group = DispatchGroup()
        for index in 0..<attempts {
            // A thread each: Dispatch's pool grows by a thread at a time when its work blocks.
            group.enter()
            Thread {
                _ = try? submit("ghost-\(index)", "some password")
                group.leave()
            }.start()
        }
        defer {
            silent.stop()  // the hanging attempts end with a reset, not their timeouts
            group.wait()
        }
        // Wait until the directory's executor holds them: its threads busy, the rest queued.
        let deadline = Date().addingTimeInterval(30)
        var metrics = ""
        while Date() < deadline {
            metrics = (try? BrowserClient().get("\(origin)/metrics").text) ?? ""
            if metrics.contains(#"gatehouse_executor_running{executor="directory-slow"} 4"#),
               metrics.contains(#"gatehouse_executor_waiting{executor="directory-slow"} 36"#) { break }
            usleep(100_000)
        }
        #expect(metrics.contains(#"gatehouse_executor_waiting{executor="directory-slow"} 36"#), "\(metrics)")
        #expect(metrics.contains(#"gatehouse_executor_running{executor="passwords"} 0"#))
        // A local account signs in meanwhile, on the password executor.
        #expect(try submit("alice", "alice's long password").status == 303)
    }
}
