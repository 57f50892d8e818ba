/// One thing wrong with a configuration, located by JSON path (`$.server.limits.body_bytes`,
/// `$.providers[0]`) or, for an environment override, by the variable's name.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        /// The configuration cannot be used; `serve` refuses to start.
        case error
        /// The configuration works but is probably not what was meant.
        case warning
    }

    /// `$.server.listen`, `$` for the whole document, or `GATEHOUSE_SERVER_LISTEN`.
    public let path: String
    /// What is wrong, never including a secret's value.
    public let message: String
    public let severity: Severity

    public init(path: String, message: String, severity: Severity = .error) {
        self.path = path
        self.message = message
        self.severity = severity
    }

    /// `$.server.listen: expected "host:port", found "foo"`; warnings say so after the path.
    public var description: String {
        switch severity {
        case .error: return "\(path): \(message)"
        case .warning: return "\(path): warning: \(message)"
        }
    }
}

/// Every error found in a configuration, so an operator fixes them all in one round.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errors, in the order the document was read; never empty.
    public let problems: [ConfigProblem]
    /// Warnings found alongside, reported too so nothing is lost when loading fails.
    public let warnings: [ConfigProblem]

    public init(problems: [ConfigProblem], warnings: [ConfigProblem] = []) {
        self.problems = problems
        self.warnings = warnings
    }

    /// One problem a line, errors first.
    public var description: String {
        (problems + warnings).map(\.description).joined(separator: "\n")
    }
}
