import JOSE

/// The claims of an ID token that passed every rule of `IDTokenValidator`. Only the validator
/// makes one, so holding an `IDTokenClaims` means the token was verified.
public struct IDTokenClaims: Sendable, Equatable {
    public let issuer: String
    public let subject: String
    public let audiences: [String]
    /// `exp`, in seconds since the epoch.
    public let expiresAt: Int64
    /// `iat`, in seconds since the epoch.
    public let issuedAt: Int64
    /// `auth_time`, when present.
    public let authTime: Int64?
    public let nonce: String
    /// `email`, when present as a string.
    public let email: String?
    /// `email_verified` exactly as sent (some providers send the string "true"): the linking
    /// rules decide what to make of it, not this layer.
    public let emailVerified: JSONValue?
    /// `name`, when present as a string.
    public let name: String?
    /// `preferred_username`, when present as a string.
    public let preferredUsername: String?
    /// `sid`, the provider's session id, when present (`SessionIDPolicy` has checked it): kept
    /// with the session so a back-channel logout naming it finds the session. Never logged.
    public let sessionID: String?
    /// The algorithm the signature was verified with.
    public let algorithm: JWSAlgorithm
    /// Every claim as sent, in document order.
    public let members: [JSONObjectMember]

    /// Every claim as sent, by name. Built on each use, from `members`: validation reads its
    /// claims in one pass and never needs this table, so only a caller that wants every claim
    /// (the sign-in, once) pays for hashing them.
    public var all: [String: JSONValue] { members.dictionary }

    /// Reads the claims the policies have already checked; a failure here means a policy was
    /// skipped, and the token is refused rather than half-read.
    init(claims: IDTokenClaimSet, algorithm: JWSAlgorithm) throws(OIDCError) {
        func missing(_ name: String) -> OIDCError { .make(.malformedIDToken, "ID token claim \(name) is missing or mistyped") }
        guard let issuer = claims.issuer?.stringValue else { throw missing("iss") }
        guard let subject = claims.subject?.stringValue else { throw missing("sub") }
        guard let audiences = ClaimReading.audiences(claims.audience) else { throw missing("aud") }
        guard let expiresAt = claims.expiry.flatMap(ClaimReading.numericDate) else { throw missing("exp") }
        guard let issuedAt = claims.issuedAt.flatMap(ClaimReading.numericDate) else { throw missing("iat") }
        guard let nonce = claims.nonce?.stringValue else { throw missing("nonce") }
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.authTime = claims.authTime.flatMap(ClaimReading.numericDate)
        self.nonce = nonce
        self.email = claims.email?.stringValue
        self.emailVerified = claims.emailVerified
        self.name = claims.name?.stringValue
        self.preferredUsername = claims.preferredUsername?.stringValue
        self.sessionID = claims.sessionID?.stringValue
        self.algorithm = algorithm
        self.members = claims.members
    }
}

/// How claim values are read, shared by the policies and `IDTokenClaims`.
enum ClaimReading {
    /// A NumericDate (RFC 7519 section 2): a JSON number of seconds, possibly with a fraction,
    /// which is dropped. Numbers beyond ±10^15 seconds (thirty million years) are refused rather
    /// than converted, so no conversion can trap.
    static func numericDate(_ value: JSONValue) -> Int64? {
        if let integer = value.int64Value { return integer }
        guard let double = value.doubleValue, double.isFinite, abs(double) < 1e15 else { return nil }
        return Int64(double.rounded(.down))
    }

    /// `aud` as a list: a single string, or a non-empty array of strings (RFC 7519 section 4.1.3).
    static func audiences(_ value: JSONValue?) -> [String]? {
        switch value {
        case .string(let single):
            return [single]
        case .array(let elements):
            guard !elements.isEmpty else { return nil }
            var audiences: [String] = []
            for element in elements {
                guard case .string(let audience) = element else { return nil }
                audiences.append(audience)
            }
            return audiences
        default:
            return nil
        }
    }
}
