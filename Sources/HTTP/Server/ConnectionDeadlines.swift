/// The deadline state machine of one connection.
///
/// It never reads a clock: every event carries `now` (monotonic nanoseconds), so tests drive it
/// without sleeping, and the connection asks it what to do when the sweeper wakes it.
/// It answers with an action instead of acting, so the socket code stays free of timing rules.
public struct ConnectionDeadlines: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Waiting for the first byte of a request (keep-alive idle, or right after accept).
        case idle
        /// Some bytes of a header section have arrived.
        case readingHead
        /// The head is complete; the body is still arriving.
        case readingBody
        /// A handler is running; no deadline applies (handlers bound their own back-channel calls).
        case processing
        /// A response is waiting for the client to read.
        case writing
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Close the connection; `respondWith` is a status worth sending first (408 for a slow body),
        /// nil when the peer should just be dropped.
        case close(reason: Reason, respondWith: Int?)
    }

    public enum Reason: String, Sendable, Equatable {
        case idleTimeout = "idle_timeout"
        case headerTimeout = "header_timeout"
        case bodyTimeout = "body_timeout"
        case writeTimeout = "write_timeout"
    }

    public private(set) var phase: Phase
    public private(set) var phaseStarted: UInt64
    /// Whether no request has been served yet; a fresh connection that sends nothing is held to the
    /// header deadline, not the longer idle one, so idle sockets cannot pin connection slots.
    public private(set) var isFresh = true
    let timeouts: ConnectionTimeouts

    public init(timeouts: ConnectionTimeouts, now: UInt64) {
        self.timeouts = timeouts
        self.phase = .idle
        self.phaseStarted = now
    }

    /// The instant after which `tick` closes the connection, or nil when no deadline applies.
    public var deadline: UInt64? {
        let seconds: Double
        switch phase {
        case .idle: seconds = isFresh ? timeouts.headerSeconds : timeouts.idleSeconds
        case .readingHead: seconds = timeouts.headerSeconds
        case .readingBody: seconds = timeouts.bodySeconds
        case .writing: seconds = timeouts.writeSeconds
        case .processing: return nil
        }
        return phaseStarted &+ UInt64(seconds * 1_000_000_000)
    }

    /// Bytes arrived and the parser now stands in `parserPhase`.
    /// A deadline runs from the start of its phase, not from the last byte: trickling bytes does not extend it.
    public mutating func bytesReceived(parserPhase: RequestParser.Phase, now: UInt64) {
        switch (phase, parserPhase) {
        case (.idle, .head):
            enter(.readingHead, now: now)
        case (.idle, .body), (.readingHead, .body):
            enter(.readingBody, now: now)
        default:
            break
        }
    }

    /// A complete request was handed to its handler.
    public mutating func requestStarted(now: UInt64) {
        enter(.processing, now: now)
    }

    /// The response could not be written at once; the client must read within the write deadline.
    public mutating func writeBlocked(now: UInt64) {
        if phase != .writing { enter(.writing, now: now) }
    }

    /// Everything queued was written; the connection waits for the next request (or the rest of one
    /// already buffered, reported through `bytesReceived`).
    public mutating func responsesFlushed(now: UInt64) {
        isFresh = false
        enter(.idle, now: now)
    }

    public func tick(now: UInt64) -> Action {
        guard let deadline, now >= deadline else { return .none }
        switch phase {
        case .idle: return .close(reason: isFresh ? .headerTimeout : .idleTimeout, respondWith: nil)
        case .readingHead: return .close(reason: .headerTimeout, respondWith: nil)
        case .readingBody: return .close(reason: .bodyTimeout, respondWith: 408)
        case .writing: return .close(reason: .writeTimeout, respondWith: nil)
        case .processing: return .none
        }
    }

    private mutating func enter(_ next: Phase, now: UInt64) {
        phase = next
        phaseStarted = now
    }
}
