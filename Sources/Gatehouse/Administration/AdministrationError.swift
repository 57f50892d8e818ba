/// Why an administration service refused or failed, typed, so the command line renders it as
/// a line of text and the admin API as RFC 9457 problem+json with a stable type per case.
public enum AdministrationError: Error, Sendable, Equatable {
    /// The named resource does not exist (`user 12`, `identity 7`, `provider "x"`).
    case notFound(String)
    /// The input breaks a rule: each problem names its field and why.
    case invalid([FieldProblem])
    /// The change would break a rule of the store: `code` is stable (`username_taken`,
    /// `identity_owned_by_another_user`, `last_sign_in_method` ...), `detail` says it in words,
    /// and the ids say whom it concerns.
    case conflict(Conflict)
    /// `If-Match` named another version than the current one: someone changed it meanwhile.
    case versionMismatch(current: String)
    /// The database could not answer now (busy, or failing); nothing was changed.
    case unavailable(String)

    /// One invalid field. `field` is a path of member names and indexes joined by `/`
    /// (`email`, `identities/0/provider`): the admin API prefixes it with `/` as a JSON Pointer.
    public struct FieldProblem: Sendable, Equatable {
        public let field: String
        public let reason: String

        public init(_ field: String, _ reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    public struct Conflict: Sendable, Equatable {
        public let code: String
        public let detail: String
        /// The user who holds what was asked for, when that is the conflict.
        public var ownerUserID: Int64?
        public var identityID: Int64?
        /// Where in the input the conflicting item is (`identities/1`), when it is one of several.
        public var field: String?

        public init(_ code: String, _ detail: String, ownerUserID: Int64? = nil, identityID: Int64? = nil) {
            self.code = code
            self.detail = detail
            self.ownerUserID = ownerUserID
            self.identityID = identityID
        }
    }

    static func invalid(_ field: String, _ reason: String) -> AdministrationError {
        .invalid([FieldProblem(field, reason)])
    }

    /// One line for a terminal.
    public var message: String {
        switch self {
        case .notFound(let what): "no \(what)"
        case .invalid(let problems): problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        case .conflict(let conflict): conflict.detail
        case .versionMismatch: "it was changed meanwhile; read it again and retry"
        case .unavailable(let why): "the database cannot answer now: \(why)"
        }
    }
}
