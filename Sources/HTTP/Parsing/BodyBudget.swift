import Synchronization

/// The bytes of large request bodies held at once, across every connection of a listener,
/// bounded.
///
/// Each body is bounded by `HTTPLimits.maxBodyBytes`, but a body is buffered before any route
/// sees it, so without a shared bound anyone could open every allowed connection, send each a
/// large body but its last byte, and hold connections × `maxBodyBytes` of memory (a gigabyte at
/// the defaults). Past `allowancePerBody`, a body takes its declared length when its head
/// arrives (a chunked one what its buffer occupies, chunk by chunk) and gives it back once its
/// request is answered (a body waiting on an executor's queue still counts) or its connection
/// ends; one that does not fit is refused with 503 before a byte of it is buffered.
///
/// Small bodies take nothing: the forms people sign in with can never be crowded out by others'
/// large ones, and connections × the allowance bounds them (64 MiB at 1,024 connections).
public final class BodyBudget: Sendable {
    /// What a body holds without taking from the budget: far above any sign-in form.
    public static let allowancePerBody = 64 * 1024

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
