import Dispatch
import Foundation
import HTTP
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `gatehouse dev-idp`: runs the provider until SIGINT or SIGTERM, the way `gatehouse serve`
/// runs the server (Gatehouse's `Runtime.serve`), without depending on Gatehouse.
///
/// Exit codes: 0 after a clean stop, 1 when it cannot listen or make keys, 2 for a bad option.
public enum DevProviderRuntime {
    public static func run(options: DevProviderOptions) -> Int32 {
        // First, before any thread starts: a SIGTERM right after the banner must stop it, not vanish.
        let shutdownSignals = ShutdownSignals.capture()
        let logger = makeLogger()
        let provider: DevProvider
        do {
            provider = try DevProvider(options: options, logger: logger)
            try provider.start()
        } catch {
            writeLine("\(error)", to: FileHandle.standardError)
            return error.exitCode
        }
        writeLine(banner(for: provider), to: FileHandle.standardOutput)
        logger.notice("listening", metadata: ["address": "\(provider.listenAddress)", "issuer": "\(provider.issuer)"])

        shutdownSignals.wait()
        logger.notice("shutting down")
        provider.shutdown()
        logger.notice("stopped")
        return 0
    }

    /// Printed on start, to stdout in one write so a supervising script can read it from a pipe
    /// at once: the warning, then one `key: value` line per fact (the `issuer:` and `port:`
    /// lines are meant to be parsed).
    static func banner(for provider: DevProvider) -> String {
        let rule = String(repeating: "!", count: 78)
        return """
            \(rule)
            !!  gatehouse dev-idp: DEVELOPMENT ONLY. NEVER USE IT IN PRODUCTION.
            !!  It signs anyone in as anyone: the sign-in page asks who you want to be.
            \(rule)
            issuer: \(provider.issuer)
            discovery: \(provider.discoveryURL)
            listening: \(provider.listenAddress)
            port: \(provider.port)
            client_id: \(provider.clientID)
            algorithm: \(provider.algorithm)
            """
    }

    private static func writeLine(_ text: String, to handle: FileHandle) {
        handle.write(Data((text + "\n").utf8))
    }

    private static let bootstrapped = Mutex(false)

    /// swift-log's bootstrap may run once per process; logs go to stderr, stdout keeps the banner.
    private static func makeLogger() -> Logger {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .info
                return handler
            }
        }
        return Logger(label: "dev-idp")
    }
}
