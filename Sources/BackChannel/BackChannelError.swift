/// Every failure of a back-channel call.
///
/// Callers switch on `code`, a struct rather than an enum so that adding a code later never breaks
/// an exhaustive `switch` elsewhere. `detail` is written for logs and never holds a request body,
/// a request header value (an Authorization header is a credential) or a response body.
public struct BackChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The URL does not parse, or carries credentials (`user:password@`), which we never send.
        public static let invalidURL = Code("invalidURL")
        /// The URL's scheme is neither `http` nor `https`.
        public static let schemeRefused = Code("schemeRefused")
        /// Plain `http` to a host the `PlainHTTPPolicy` does not allow; refused before any connection.
        public static let plainHTTPRefused = Code("plainHTTPRefused")
        /// The extra CA bundle cannot be read or holds no PEM certificate.
        public static let caBundleUnreadable = Code("caBundleUnreadable")
        /// The settings cannot be honoured (a zero or negative timeout would mean "no timeout" to curl).
        public static let invalidSettings = Code("invalidSettings")
        /// The request cannot be sent as given: a header that is not a token or holds CR/LF/NUL,
        /// a framing header we set ourselves, or a body on a GET.
        public static let invalidRequest = Code("invalidRequest")
        /// The host name does not resolve.
        public static let couldNotResolve = Code("couldNotResolve")
        /// No TCP connection could be made (refused, unreachable).
        public static let couldNotConnect = Code("couldNotConnect")
        /// The connect timeout or the total timeout ran out.
        public static let timedOut = Code("timedOut")
        /// The TLS handshake failed, including certificate and host name verification.
        public static let tlsFailure = Code("tlsFailure")
        /// The response is larger than `maxResponseBytes` (announced or actually sent), or its
        /// header section is larger than the fixed header cap.
        public static let responseTooLarge = Code("responseTooLarge")
        /// Anything else curl reports (connection reset, malformed response, out of memory).
        public static let transportFailure = Code("transportFailure")
    }

    public let code: Code
    /// A human-readable explanation for logs, free of bodies and header values.
    public let detail: String
    /// Where the error was made, for diagnosis.
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ detail: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.detail = detail
        self.fileID = fileID
        self.line = line
    }

    /// Two errors are equal when they say the same thing; where they were made does not matter.
    public static func == (lhs: BackChannelError, rhs: BackChannelError) -> Bool {
        lhs.code == rhs.code && lhs.detail == rhs.detail
    }

    public var description: String { "BackChannelError.\(code): \(detail) (\(fileID):\(line))" }
}
