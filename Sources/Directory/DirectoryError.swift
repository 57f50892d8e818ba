import CLDAP

/// Why a directory operation failed. Callers compare `code`; `message` is for the log and
/// names the server and libldap's words, never a password.
public struct DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No server could be reached (connection refused, timed out, TLS handshake failed).
        public static let unavailable = Code(rawValue: "unavailable")
        /// The server refused StartTLS, or its certificate did not verify.
        public static let tlsFailed = Code(rawValue: "tls_failed")
        /// A simple bind was refused (wrong DN or password): the caller's "wrong password".
        public static let invalidCredentials = Code(rawValue: "invalid_credentials")
        /// An empty password: refused before any bind, since it would be an unauthenticated
        /// bind that succeeds (RFC 4513 section 5.1.2).
        public static let emptyPassword = Code(rawValue: "empty_password")
        /// The service account's bind was refused: the operator's configuration, not the person.
        public static let serviceBindFailed = Code(rawValue: "service_bind_failed")
        /// A search failed (bad base DN, bad filter, size limit without paging).
        public static let searchFailed = Code(rawValue: "search_failed")
        /// The operation's total time ran out.
        public static let timedOut = Code(rawValue: "timed_out")
        /// Every pooled connection was busy for longer than the wait allowed.
        public static let poolExhausted = Code(rawValue: "pool_exhausted")
        /// The settings break a rule (plain LDAP to a remote host, no URI).
        public static let invalidSettings = Code(rawValue: "invalid_settings")
        /// The caller stopped a search from its entry callback (Gatehouse shutting down).
        public static let cancelled = Code(rawValue: "cancelled")
    }

    public let code: Code
    public let message: String
    /// The libldap result code, when there was one.
    public let resultCode: Int32?

    public init(_ code: Code, _ message: String, resultCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.resultCode = resultCode
    }

    /// The server said the entry does not exist, or that the bound account may not read it.
    public var isEntryMissingOrHidden: Bool { resultCode == LDAP_NO_SUCH_OBJECT || resultCode == LDAP_INSUFFICIENT_ACCESS }

    public var description: String { "\(code.rawValue): \(message)" }
}
