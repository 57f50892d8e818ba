/// Whom a provider's verified back-channel logout token names (OIDC Back-Channel Logout 1.0
/// section 2.4): a session at the provider (`sid`), a person (`sub`), or that person's session.
/// There is no case for neither: a token that names nobody can never be turned into a scope, so
/// no query can ever end every session of a provider.
///
/// Both values are the provider's identifiers: never logged, never in the audit trail.
public enum ProviderLogoutScope: Sendable, Equatable {
    case session(sid: String)
    case person(subject: String)
    case personsSession(subject: String, sid: String)

    /// The scope a token with these claims names, or nil when it names nobody.
    public init?(subject: String?, sessionID: String?) {
        switch (subject, sessionID) {
        case (let subject?, let sid?): self = .personsSession(subject: subject, sid: sid)
        case (let subject?, nil): self = .person(subject: subject)
        case (nil, let sid?): self = .session(sid: sid)
        case (nil, nil): return nil
        }
    }

    public var subject: String? {
        switch self {
        case .session: nil
        case .person(let subject), .personsSession(let subject, _): subject
        }
    }

    public var sessionID: String? {
        switch self {
        case .person: nil
        case .session(let sid), .personsSession(_, let sid): sid
        }
    }
}

/// A session a back-channel logout revoked: its row id and user, for the audit trail.
public struct RevokedSession: Sendable, Equatable {
    public let id: Int64
    public let userID: Int64

    public init(id: Int64, userID: Int64) {
        self.id = id
        self.userID = userID
    }
}
