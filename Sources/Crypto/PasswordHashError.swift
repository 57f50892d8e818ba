/// Why a password could not be hashed or a stored hash could not be checked.
///
/// Callers compare `code`, a struct rather than an enum so a new code never breaks a `switch`
/// elsewhere. `message` names the problem, never the password, the salt or the hash: errors
/// end up in logs.
public struct PasswordHashError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The password is empty or longer than `PasswordHash.maximumPasswordBytes`.
        public static let passwordLength = Code("passwordLength")
        /// The stored string does not start with `$scrypt$`: another algorithm, or not a hash at all.
        public static let unknownScheme = Code("unknownScheme")
        /// The stored string's fields, base64 or lengths are not what `PasswordHash.make` writes.
        public static let malformedHash = Code("malformedHash")
        /// The parameter field is not exactly `ln=<digits>,r=<digits>,p=<digits>`.
        public static let badParameters = Code("badParameters")
        /// The parameters are well-formed but beyond the caps (memory, work, or a single value),
        /// refused before any memory is allocated for them.
        public static let parametersOutOfRange = Code("parametersOutOfRange")
        /// The random source failed while making a salt.
        public static let randomFailure = Code("randomFailure")
        /// OpenSSL refused the derivation.
        public static let derivationFailed = Code("derivationFailed")
    }

    public let code: Code
    public let message: String
    public let fileID: String
    public let line: Int

    public init(code: Code, message: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    /// Equal when they say the same thing; where they were made does not matter.
    public static func == (lhs: PasswordHashError, rhs: PasswordHashError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String { "\(code): \(message)" }
}
