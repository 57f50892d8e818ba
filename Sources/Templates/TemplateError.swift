/// Why a template set could not be loaded or a template could not be rendered, with the
/// template file and line it is about, so a broken template is found from the message alone.
///
/// Loading errors stop the server at start; render errors mean a handler passed the wrong
/// context (a programming error), and become a 500 with this message in the log.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable name for the kind of problem; tests compare codes, new codes break nobody.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Loading the directory and its files.
        public static let unreadableDirectory = Code(rawValue: "unreadable_directory")
        public static let unreadableFile = Code(rawValue: "unreadable_file")
        public static let fileTooLarge = Code(rawValue: "file_too_large")
        public static let notUTF8 = Code(rawValue: "not_utf8")
        public static let invalidFileName = Code(rawValue: "invalid_file_name")
        // Parsing one template.
        public static let unclosedTag = Code(rawValue: "unclosed_tag")
        public static let unsupportedTag = Code(rawValue: "unsupported_tag")
        public static let invalidName = Code(rawValue: "invalid_name")
        public static let unclosedSection = Code(rawValue: "unclosed_section")
        public static let mismatchedClose = Code(rawValue: "mismatched_close")
        public static let unexpectedClose = Code(rawValue: "unexpected_close")
        // Partials across the set.
        public static let missingPartial = Code(rawValue: "missing_partial")
        public static let partialCycle = Code(rawValue: "partial_cycle")
        // Rendering.
        public static let unknownTemplate = Code(rawValue: "unknown_template")
        public static let unknownName = Code(rawValue: "unknown_name")
        public static let wrongType = Code(rawValue: "wrong_type")
    }

    public let code: Code
    /// The template file (`login.html`), or the directory for directory-level problems.
    public let file: String
    /// 1-based line in `file`; 0 when the problem is not about one line.
    public let line: Int
    public let message: String

    public init(_ code: Code, file: String, line: Int = 0, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
    }

    /// `login.html:12: unclosed section "providers" ...`, the shape editors and compilers use.
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
