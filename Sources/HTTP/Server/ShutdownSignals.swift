import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// How a server process waits to be told to stop: SIGTERM (service managers, `kill`) or
/// SIGINT (Ctrl-C), handled on a Dispatch source instead of an async-signal handler, so the
/// shutdown that follows may log, close sockets and flush. SIGPIPE is ignored, because a peer
/// that closes early must cost one failed write, not the process.
public enum ShutdownSignals {
    /// Blocks the calling thread until SIGTERM or SIGINT arrives.
    public static func wait() {
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.activate()
            return source
        }
        signal(SIGPIPE, SIG_IGN)
        stop.wait()
        sources.forEach { $0.cancel() }
    }
}
