import Logging

/// `logging`: how much Gatehouse logs and in which line format.
public struct LoggingConfig: Sendable, Equatable {
    /// How log lines are written.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// `key=value` pairs, easy to read and to grep.
        case logfmt
        /// One JSON object a line, for log collectors.
        case json
    }

    /// `logging.level`: the least severe level written; swift-log's own levels.
    public var level: Logger.Level
    /// `logging.format`.
    public var format: Format

    public init(level: Logger.Level = .info, format: Format = .logfmt) {
        self.level = level
        self.format = format
    }

    static let keys = ["level", "format"]

    static func decode(_ reader: ObjectReader) -> LoggingConfig {
        let defaults = LoggingConfig()
        return LoggingConfig(
            level: reader.value("level", .choice) ?? defaults.level,
            format: reader.value("format", .choice) ?? defaults.format
        )
    }
}
