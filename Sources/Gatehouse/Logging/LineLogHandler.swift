import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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

/// A buffered, thread-safe writer of log lines to a descriptor.
public final class LogSink: Sendable {
    private let fd: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let flushScheduled = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "gatehouse.log")
    private static let flushThreshold = 16 * 1024

    public init(fd: Int32 = STDERR_FILENO) {
        self.fd = fd
    }

    public static let standardError = LogSink()

    func write(_ line: String, urgent: Bool) {
        let full = buffer.withLock { bytes -> Bool in
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
            return bytes.count >= Self.flushThreshold
        }
        if urgent || full {
            flush()
        } else if !flushScheduled.exchange(true, ordering: .acquiringAndReleasing) {
            queue.asyncAfter(deadline: .now() + .milliseconds(20)) { [self] in
                flushScheduled.store(false, ordering: .releasing)
                flush()
            }
        }
    }

    /// Writes everything buffered. Called on shutdown so no line is lost.
    public func flush() {
        let pending = buffer.withLock { bytes -> [UInt8] in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        var offset = 0
        pending.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
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
