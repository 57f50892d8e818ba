import Foundation
import Logging

/// How a log line is written: `logfmt` (key=value, easy on the eye) or `json` (one object a line).
extension LoggingConfig.Format {
    /// Renders one line without the trailing newline.
    func render(
        timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        let pairs = [("time", timestamp), ("level", level.rawValue), ("logger", label), ("msg", message)]
            + metadata.sorted { $0.key < $1.key }.map { ($0.key, LogRedaction.value(for: $0.key, $0.value)) }
        switch self {
        case .logfmt:
            return pairs.map { "\($0.0)=\(Self.logfmtQuote($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + pairs.map { "\(Self.jsonQuote($0.0)):\(Self.jsonQuote($0.1))" }.joined(separator: ",") + "}"
        }
    }

    static func logfmtQuote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 >= 0x7F }
        guard needsQuotes else { return value }
        return jsonQuote(value)
    }

    static func jsonQuote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A last line of defence: metadata whose key names a secret is never written, whatever a caller passes.
enum LogRedaction {
    static let secretKeyFragments = ["password", "secret", "token", "cookie", "authorization", "session_id", "code_verifier"]

    static func value(for key: String, _ value: Logger.MetadataValue) -> String {
        let lowered = key.lowercased()
        if secretKeyFragments.contains(where: { lowered.contains($0) }) { return "[redacted]" }
        return value.description
    }
}
