import Synchronization

/// The bytes of request bodies being received, across every connection of a server, bounded.
///
/// Each connection's body is bounded by `HTTPLimits.maxBodyBytes`, but a body is buffered before
/// any route sees it, so without a shared bound anyone could open every allowed connection, send
/// each a large body but its last byte, and hold connections × `maxBodyBytes` of memory (a
/// gigabyte at the defaults). A body takes its declared length (a chunk's size, chunk by chunk)
/// when its head arrives, and gives it back when the request is complete or the connection
/// ends; a body that does not fit is refused with 503 before a byte of it is buffered.
public final class BodyBudget: Sendable {
    public let capacity: Int
    private let used = Atomic<Int>(0)

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Takes `bytes` when they fit: true. False, and nothing taken, otherwise.
    public func take(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard bytes <= capacity - current else { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, successOrdering: .acquiringAndReleasing, failureOrdering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    public func giveBack(_ bytes: Int) {
        used.subtract(bytes, ordering: .acquiringAndReleasing)
    }

    /// Bytes taken now, for tests and metrics.
    public var inUse: Int { used.load(ordering: .relaxed) }
}
