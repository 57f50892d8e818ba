import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import HTTP

/// A swift-log handler writing one line per event to a file descriptor (stderr by default).
///
/// Lines are collected in a buffer and written when it fills or a few milliseconds later, so a
/// busy server does not pay a write(2) per request; warnings and worse are written at once.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LoggingConfig.Format
    private let sink: LogSink

    public init(label: String, level: Logger.Level, format: LoggingConfig.Format, sink: LogSink) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = format.render(
            timestamp: LogSink.timestamp(), level: event.level, label: label, message: "\(event.message)", metadata: merged
        )
        sink.write(line, urgent: event.level >= .warning)
    }
}

/// A buffered, thread-safe writer of log lines to a descriptor, on a thread of its own.
///
/// Lines are collected in a buffer and written by the sink's thread when it fills or a few
/// milliseconds later, so a busy server does not pay a write(2) per request; warnings and worse
/// are written at once. No other thread ever writes: review finding, the event loops wrote the
/// buffer themselves, and a log reader that stalled (journald hung, a full pipe) stopped every
/// loop, with their deadline sweeps. The buffer is bounded; past `maximumBufferedBytes` lines are
/// dropped and counted, and the count is written as a line of its own once the reader catches up.
///
/// `@unchecked Sendable`: every variable (`pending`, `dropped`, `urgent`, `writerStarted`,
/// `idle`, `queued`, `written`) is only touched while `condition` is held.
public final class LogSink: @unchecked Sendable {
    private let fd: Int32
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var dropped = 0
    private var urgent = false
    private var writerStarted = false
    /// The writer waits, with nothing to write, until a line or a drop wakes it.
    private var idle = false
    /// Bytes handed to write(2) so far, for `flush`.
    private var written = 0
    private var queued = 0
    private static let flushThreshold = 16 * 1024
    /// What the sink holds while its reader does not read: about 5,000 lines.
    static let maximumBufferedBytes = 1_048_576
    /// How long a line that is not urgent may wait for others to share its write.
    private static let coalesceSeconds = 0.02

    public init(fd: Int32 = STDERR_FILENO) {
        self.fd = fd
    }

    public static let standardError = LogSink()

    func write(_ line: String, urgent isUrgent: Bool) {
        condition.lock()
        defer { condition.unlock() }
        // The writer waits without a deadline while there is nothing to write: the first line
        // or drop after that wakes it (review finding: an info line waited for the next warning).
        let wasIdle = pending.isEmpty && dropped == 0
        guard pending.count + line.utf8.count + 1 <= Self.maximumBufferedBytes else {
            dropped += 1
            if wasIdle { condition.broadcast() }
            return
        }
        pending.append(contentsOf: line.utf8)
        pending.append(0x0A)
        queued += line.utf8.count + 1
        if isUrgent { urgent = true }
        if !writerStarted {
            writerStarted = true
            let thread = Thread { [self] in writeForever() }
            thread.name = "gatehouse.log"
            thread.startWithSignalsBlocked()
        }
        if wasIdle || urgent || pending.count >= Self.flushThreshold { condition.broadcast() }
    }

    /// Whether the writer is waiting with nothing to write (for tests).
    var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return idle
    }

    /// Waits until everything buffered so far has been written (called on shutdown so no line is
    /// lost), or `timeoutSeconds` passed: a reader that stopped reading cannot hold the exit.
    public func flush(timeoutSeconds: Double = 5) {
        condition.lock()
        defer { condition.unlock() }
        let target = queued
        guard writerStarted else { return }
        urgent = true
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeoutSeconds)
        while written < target && condition.wait(until: deadline) {}
    }

    private func writeForever() {
        condition.lock()
        while true {
            if pending.isEmpty && dropped == 0 {
                idle = true
                condition.wait()
                idle = false
                continue
            }
            if !urgent && pending.count < Self.flushThreshold && dropped == 0 {
                // Let other lines join this write.
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.coalesceSeconds))
            }
            var bytes = pending
            pending.removeAll(keepingCapacity: true)
            let taken = bytes.count
            if dropped > 0 {
                let notice = "time=\(LogSink.timestamp()) level=warning logger=gatehouse msg=\"\(dropped) log line(s) dropped: the log's reader fell behind\"\n"
                bytes += Array(notice.utf8)
                dropped = 0
            }
            urgent = false
            condition.unlock()
            writeAll(bytes)
            condition.lock()
            written += taken
            condition.broadcast()
        }
    }

    /// Blocks this thread alone until `bytes` are written or the descriptor fails. A descriptor
    /// left non-blocking (a pipe shared with another process) is waited on, not given up on.
    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    if code == EAGAIN || code == EWOULDBLOCK {
                        var writable = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&writable, 1, 1_000)
                        continue
                    }
                    return
                }
                offset += count
            }
        }
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_nsec / 1_000_000)
        )
    }
}
