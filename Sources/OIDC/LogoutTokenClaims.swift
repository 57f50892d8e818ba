import JOSE

/// The claims of a logout token that passed every rule of `LogoutTokenValidator`. Only the
/// validator makes one, so holding a `LogoutTokenClaims` means the token was verified; what is
/// left to the caller is the replay record (`tokenID` not seen before from this `issuer`) and
/// acting on it.
///
/// `subject` and `sessionID` are the provider's names for a person and a session at it: never
/// logged, never written to the audit trail.
public struct LogoutTokenClaims: Sendable, Equatable {
    public let issuer: String
    /// `sub`, when present; at least one of `subject` and `sessionID` is. The provider's name
    /// for the person, as its ID tokens give it: the replay record keeps each person's share by
    /// it, and a sign-in racing the logout is matched by it.
    public let subject: String?
    /// `subject` when this provider's identities are keyed by it (the `sub` subject rule), else
    /// nil. Under another rule (Entra's `oid_tid`) the token's `sub` names no identity here, so
    /// the token ends sessions by its `sid` alone, which the validator then requires (review
    /// finding: the `sub` was matched against `<tid>/<oid>` subjects, so a token with both named
    /// nothing, was answered 200, and the session lived on).
    public let subjectNamingIdentities: String?
    /// `sid`, when present.
    public let sessionID: String?
    /// `jti`.
    public let tokenID: String
    public let audiences: [String]
    /// `iat`, in seconds since the epoch.
    public let issuedAt: Int64
    /// `exp`, when present.
    public let expiresAt: Int64?
    /// The first second at which this token is refused by its lifetime rule: how long the
    /// replay record must remember `tokenID`.
    public let acceptedUntil: Int64
    /// The algorithm the signature was verified with.
    public let algorithm: JWSAlgorithm

    /// Reads the claims the policies have already checked; a failure here means a policy was
    /// skipped, and the token is refused rather than half-read.
    init(
        claims: IDTokenClaimSet, subjectNamesIdentities: Bool, lifetime: LogoutTokenLifetimePolicy, algorithm: JWSAlgorithm
    ) throws(OIDCError) {
        func missing(_ name: String) -> OIDCError { .make(.malformedLogoutToken, "logout token claim \(name) is missing or mistyped") }
        guard let issuer = claims.issuer?.stringValue else { throw missing("iss") }
        guard let audiences = ClaimReading.audiences(claims.audience) else { throw missing("aud") }
        guard let tokenID = claims.tokenID?.stringValue else { throw missing("jti") }
        guard let issuedAt = claims.issuedAt.flatMap(ClaimReading.numericDate) else { throw missing("iat") }
        guard let acceptedUntil = lifetime.acceptedUntil(claims) else { throw missing("exp or iat") }
        let subject = claims.subject?.stringValue
        let sessionID = claims.sessionID?.stringValue
        guard subject != nil || sessionID != nil else { throw missing("sub or sid") }
        self.issuer = issuer
        self.subject = subject
        self.subjectNamingIdentities = subjectNamesIdentities ? subject : nil
        self.sessionID = sessionID
        self.tokenID = tokenID
        self.audiences = audiences
        self.issuedAt = issuedAt
        self.expiresAt = claims.expiry.flatMap(ClaimReading.numericDate)
        self.acceptedUntil = acceptedUntil
        self.algorithm = algorithm
    }
}
