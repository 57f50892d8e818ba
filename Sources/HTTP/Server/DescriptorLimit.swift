#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`). Every connection is one, so
/// the limit bounds how many idle keep-alive connections the server can hold; the default soft
/// limit (often 1024) is far below what the hard limit allows.
public enum DescriptorLimit {
    public struct Raised: Sendable, Equatable {
        /// The soft limit before and after.
        public let before: UInt64
        public let after: UInt64
        /// The hard limit, the ceiling an unprivileged process may raise its soft limit to.
        public let hard: UInt64
    }

    /// Raises the soft limit as far as the hard limit allows, and says what was obtained.
    public static func raiseToHardLimit() -> Raised? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return Raised(before: before, after: before, hard: UInt64(limit.rlim_max)) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else {
            return Raised(before: before, after: before, hard: UInt64(limit.rlim_max))
        }
        return Raised(before: before, after: UInt64(raised.rlim_cur), hard: UInt64(raised.rlim_max))
    }
}
