import Crypto

/// Every failure the JOSE layer reports.
///
/// Callers switch on `code`, a struct rather than an enum so that adding a code later never breaks
/// an exhaustive `switch` elsewhere. `message` never contains token, key or secret material: these
/// errors end up in logs, and a token is a bearer credential.
public struct JOSEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The input is not well-formed: bad base64url, bad JSON, wrong segment count, missing or mistyped member.
        public static let malformed = Code("malformed")
        /// The input is larger than the configured cap.
        public static let tooLarge = Code("tooLarge")
        /// The header names an algorithm this library does not implement (including `none`, in any capitalisation).
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The algorithm is implemented but not in the caller's allow-list.
        public static let algorithmNotAllowed = Code("algorithmNotAllowed")
        /// The header carries `crit`: it names an extension we do not implement, so the token must be refused.
        public static let criticalHeader = Code("criticalHeader")
        /// The token's `kid` names no key in the set. The OIDC layer may refetch the JWKS once on this code.
        public static let unknownKeyID = Code("unknownKeyID")
        /// No key in the set may verify this token (wrong type, curve, `use`, `alg`, or no HMAC secret configured).
        public static let noSuitableKey = Code("noSuitableKey")
        /// More than one key could verify this token and nothing says which: we never try them in turn.
        public static let ambiguousKey = Code("ambiguousKey")
        /// The signature does not verify, or has the wrong length or form.
        public static let badSignature = Code("badSignature")
        /// A key is too weak to be used (RSA modulus under 2048 bits, HMAC secret shorter than the hash).
        public static let weakKey = Code("weakKey")
        /// A key is not a valid key: unknown type or curve, wrong member lengths, a point not on the curve.
        public static let invalidKey = Code("invalidKey")
        /// OpenSSL failed in a way that says nothing about the input (allocation, provider missing).
        public static let internalFailure = Code("internalFailure")
    }

    public let code: Code
    /// A human-readable explanation, free of token, key and secret material.
    public let message: String
    /// Where the error was made, for diagnosis.
    public let fileID: String
    public let line: Int

    public init(code: Code, message: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    /// Two errors are equal when they say the same thing; where they were made does not matter.
    public static func == (lhs: JOSEError, rhs: JOSEError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String { "JOSEError.\(code): \(message) (\(fileID):\(line))" }

    // MARK: Factories, so that every throw site records where it was.

    static func malformed(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .malformed, message: message, fileID: fileID, line: line)
    }
    /// JSON that JOSE reads or writes was refused. The message names the kind of fault (the
    /// `JSONError` code), never the text: the parser's own message may quote a member name, and
    /// what JOSE reads is a bearer credential.
    static func malformedJSON(_ error: JSONError, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .malformed, message: "JSON text refused (\(error.code))", fileID: fileID, line: line)
    }
    /// Base64url that JOSE decodes was refused: `malformed`, or `internalFailure` for a buffer
    /// of our own that was too small.
    static func base64URL(_ error: Base64URLError, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: error.code == .malformed ? .malformed : .internalFailure, message: error.message, fileID: fileID, line: line)
    }
    static func tooLarge(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .tooLarge, message: message, fileID: fileID, line: line)
    }
    static func unsupportedAlgorithm(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .unsupportedAlgorithm, message: message, fileID: fileID, line: line)
    }
    static func algorithmNotAllowed(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .algorithmNotAllowed, message: message, fileID: fileID, line: line)
    }
    static func criticalHeader(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .criticalHeader, message: message, fileID: fileID, line: line)
    }
    static func unknownKeyID(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .unknownKeyID, message: message, fileID: fileID, line: line)
    }
    static func noSuitableKey(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .noSuitableKey, message: message, fileID: fileID, line: line)
    }
    static func ambiguousKey(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .ambiguousKey, message: message, fileID: fileID, line: line)
    }
    static func badSignature(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .badSignature, message: message, fileID: fileID, line: line)
    }
    static func weakKey(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .weakKey, message: message, fileID: fileID, line: line)
    }
    static func invalidKey(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .invalidKey, message: message, fileID: fileID, line: line)
    }
    static func internalFailure(_ message: String, fileID: String = #fileID, line: Int = #line) -> JOSEError {
        JOSEError(code: .internalFailure, message: message, fileID: fileID, line: line)
    }
}
