/// Why a text is not JSON that `JSONValue.parse` accepts, and where; or why `serialized()` would
/// not write a value.
///
/// Callers compare `code`, a struct rather than an enum so that a new code never breaks an
/// exhaustive `switch` elsewhere. `message` says what was expected, in words an operator fixing a
/// configuration file can act on; it may name one byte of the input, the four hexadecimal digits
/// of an escape, or a member name (quoted, cut at 80 characters), and never more of the text.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The text ends inside a value: a container, a string or an escape left open, or no value at all.
        public static let unexpectedEnd = Code("unexpectedEnd")
        /// A byte stands where the grammar allows no such byte (a missing comma or colon, a quote of the wrong kind).
        public static let unexpectedCharacter = Code("unexpectedCharacter")
        /// Something other than whitespace follows the value.
        public static let trailingText = Code("trailingText")
        /// `true`, `false` or `null` misspelt or cut short.
        public static let invalidLiteral = Code("invalidLiteral")
        /// A number outside the JSON grammar (leading zero, no digits after `.` or `e`).
        public static let invalidNumber = Code("invalidNumber")
        /// A string with a raw control character, an unknown escape, a lone surrogate or bytes that are not UTF-8.
        public static let invalidString = Code("invalidString")
        /// An object names the same member twice (read, or about to be written).
        public static let duplicateMemberName = Code("duplicateMemberName")
        /// Containers nest deeper than the options allow.
        public static let tooDeep = Code("tooDeep")
        /// `parseObjectMembers` was given a text that is not one object.
        public static let notAnObject = Code("notAnObject")
        /// `serialized()` was given a `.number` whose text is not a JSON number.
        public static let invalidNumberText = Code("invalidNumberText")
    }

    /// Where in the text a parse failed. Lines and columns count from 1; a column counts
    /// characters (UTF-8 sequences), not bytes, from the start of its line.
    public struct Location: Sendable, Equatable {
        /// Bytes from the start of the input (a byte order mark included).
        public let offset: Int
        public let line: Int
        public let column: Int

        public init(offset: Int, line: Int, column: Int) {
            self.offset = offset
            self.line = line
            self.column = column
        }

        /// The line and column of `offset` in `bytes`, counted only when an error is made, so a
        /// parse that succeeds never pays for them. Counting starts at `documentStart` (after
        /// a skipped byte order mark).
        init(offset: Int, in bytes: UnsafeBufferPointer<UInt8>, documentStart: Int) {
            var line = 1
            var lineStart = documentStart
            var position = documentStart
            while position < offset {
                if bytes[position] == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = position + 1
                }
                position += 1
            }
            var column = 1
            position = lineStart
            while position < offset {
                // Continuation bytes (10xxxxxx) belong to the character before them.
                if bytes[position] & 0xC0 != 0x80 { column += 1 }
                position += 1
            }
            self.init(offset: offset, line: line, column: column)
        }
    }

    public let code: Code
    /// What is wrong, without the location.
    public let message: String
    /// Where the text went wrong; nil for a value `serialized()` refuses to write.
    public let location: Location?

    public init(code: Code, message: String, location: Location?) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// `invalid JSON at line 3, column 1: duplicate key "a" in one object`.
    public var description: String {
        guard let location else { return "cannot write JSON: \(message)" }
        return "invalid JSON at line \(location.line), column \(location.column): \(message)"
    }

    /// Values longer than this are cut in messages: an operator needs to recognise a member
    /// name, not read a page of it.
    public static let maximumQuotedLength = 80

    /// `value` in double quotes with quotes, backslashes and control characters escaped, cut
    /// after `maximumQuotedLength` characters: how a parser message and a configuration
    /// problem quote the text they name. Never use it on a secret.
    public static func quoted(_ value: String) -> String {
        var text = "\""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == maximumQuotedLength {
                text += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                text += "\\u{\(String(scalar.value, radix: 16))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
