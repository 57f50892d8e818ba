#if canImport(Glibc)
import Glibc
#endif

/// How a server process learns it should stop: SIGTERM (service managers, `kill`) or SIGINT
/// (Ctrl-C), taken synchronously with sigwait(2) by the thread that waits, so the shutdown
/// that follows may log, close sockets and flush. SIGPIPE is ignored, because a peer that
/// closes early must cost one failed write, not the process.
///
/// `capture()` must come first, before the process starts any thread of its own and before it
/// tells anyone it is ready: from then on both signals are blocked, so one that arrives while
/// the server is still starting stays pending and ends the very next `wait()`. Set up any later
/// (as the Dispatch signal sources this replaces were, when `wait` began), a SIGTERM sent the
/// moment the banner was printed could fall between ignoring the signal and the source's
/// registration, and be lost: `gatehouse dev-idp` then never stopped and a test hung.
/// Threads created afterwards inherit the blocked mask; Dispatch's worker threads block these
/// signals themselves.
public struct ShutdownSignals: Sendable {
    private let signals: sigset_t

    private init(signals: sigset_t) {
        self.signals = signals
    }

    /// Blocks SIGTERM and SIGINT on the calling thread (and so on every thread it starts later)
    /// and ignores SIGPIPE. Call it on the thread that will `wait`.
    public static func capture() -> ShutdownSignals {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        return ShutdownSignals(signals: set)
    }

    /// Blocks until SIGTERM or SIGINT is pending (at once if one already is) and returns it.
    @discardableResult
    public func wait() -> Int32 {
        var set = signals
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
