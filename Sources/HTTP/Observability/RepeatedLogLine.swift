import Dispatch
import Synchronization

/// A log line that a flood could repeat once per request (a refused connection, a refused
/// start, a failed write), let through at most once per `intervalSeconds`; the line that is let
/// through says how many were held back since the last. Logs are storage too, and anonymous
/// requests must not be able to write it without bound; the metrics still count every event.
public final class RepeatedLogLine: Sendable {
    public let intervalSeconds: Double
    private let state = Mutex<(lastAt: UInt64?, heldBack: Int)>((nil, 0))

    public init(intervalSeconds: Double = 60) {
        self.intervalSeconds = max(0, intervalSeconds)
    }

    /// Nil when this occurrence is held back; otherwise how many were held back before it.
    /// `now` is a monotonic time in nanoseconds (the uptime clock unless a test gives one).
    public func admit(now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Int? {
        let interval = UInt64(intervalSeconds * 1_000_000_000)
        return state.withLock { state -> Int? in
            // A time read before another thread's later one counts as none elapsed.
            if let lastAt = state.lastAt, now < lastAt || now - lastAt < interval {
                state.heldBack += 1
                return nil
            }
            let heldBack = state.heldBack
            state = (now, 0)
            return heldBack
        }
    }
}
