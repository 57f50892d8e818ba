import Store
import Synchronization

/// The forward-auth view of sessions already read in this second, so a burst of requests for
/// one page (the document, its scripts, styles and images, each checked by the proxy) costs
/// one database read instead of one per request.
///
/// An entry is used only while both of these still hold:
/// - the clock reads the same second as when the row was read, so an expiry, or a change made
///   by another process (an operator command), is seen within a second;
/// - no write through this process's `Database` has finished since the read began
///   (`Database.writeCount`), so a sign-out, a revocation, a deactivated user or a session
///   touch made here is seen by the very next request, exactly as without the cache.
///
/// Only sessions that were found are kept: an unknown token is always read again, so guessing
/// tokens cannot fill the cache. It holds one second's entries of one write count at a time,
/// at most `capacity` of them.
final class ForwardAuthSessionCache: Sendable {
    /// What a reader notes before it reads, and hands back with what it read.
    struct Stamp: Equatable {
        let second: Int64
        let writeCount: UInt64
    }

    private struct Entries {
        var stamp = Stamp(second: .min, writeCount: 0)
        var sessions: [[UInt8]: ForwardAuthSession] = [:]
    }

    private let state = Mutex(Entries())
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The session kept for `tokenHash` under `stamp`, which must be taken now, or nil.
    func session(for tokenHash: [UInt8], at stamp: Stamp) -> ForwardAuthSession? {
        state.withLock { entries in
            entries.stamp == stamp ? entries.sessions[tokenHash] : nil
        }
    }

    /// Keeps `session`, read after `stamp` was taken. `current` is the stamp now: when it has
    /// moved on (a write finished, or the second ended, during the read) the session is not
    /// kept, since it may already be out of date.
    func keep(_ session: ForwardAuthSession, for tokenHash: [UInt8], readAt stamp: Stamp, current: Stamp) {
        guard stamp == current else { return }
        state.withLock { entries in
            if entries.stamp != stamp {
                entries.stamp = stamp
                entries.sessions.removeAll(keepingCapacity: true)
            }
            guard entries.sessions.count < capacity else { return }
            entries.sessions[tokenHash] = session
        }
    }
}
