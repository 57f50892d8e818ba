import JOSE

// The rules only a logout token has (OIDC Back-Channel Logout 1.0 section 2.6), one each. The
// rules it shares with an ID token (iss, aud, iat, nbf, sub, sid) are the ID token's own policies,
// applied by `LogoutTokenValidator`. Messages never quote a claim value.

/// How long a logout token is accepted: until `exp` when it has one (as for an ID token,
/// `ExpiryPolicy`) but never more than `maximumAge` seconds after `iat`, and without `exp` for
/// `maximumAgeWithoutExpiry` seconds after `iat`, allowing the clock skew either way.
///
/// Back-Channel Logout 1.0 requires `exp`, but providers that follow its earlier drafts send
/// none (Debian's glewlwyd 2.7.5 among them); their tokens are bounded by their age instead,
/// so a token without `exp` can never be replayed once its `jti` has left the replay record.
/// `acceptedUntil` is that end, which the replay record keeps the `jti` until: the two must agree
/// to the second, so both read "accepted while now is before the end".
///
/// The age bound holds with `exp` too (review finding): nothing capped `exp`, so a provider's
/// hour-long logout tokens kept their `jti` an hour, and one person signing out at the provider
/// three times a second filled the record's 10,000 places per issuer, after which every logout
/// from that provider was refused and sessions outlived provider sign-outs.
public struct LogoutTokenLifetimePolicy: IDTokenClaimPolicy {
    /// Two minutes: a provider sends a logout token the moment the person signs out, and the
    /// specification suggests an `exp` "at most two minutes in the future".
    public static let defaultMaximumAgeWithoutExpiry: Int64 = 120
    /// Ten minutes: far longer than any provider takes to deliver a logout token (glewlwyd sends
    /// once, at once; others retry within seconds), short enough that the replay record's
    /// 10,000 places per issuer take about 15 logouts a second to fill at the default clock skew
    /// (one subject alone keeps at most `LogoutTokenLedger.sharePerSubject` of them).
    public static let maximumAge: Int64 = 600

    public let now: Int64
    public let clockSkewSeconds: Int64
    public let maximumAgeWithoutExpiry: Int64
    /// The rule for a token with `exp`, which fails with `expired`.
    public var reason: PolicyReason { ExpiryPolicy(now: now, clockSkewSeconds: clockSkewSeconds).reason }
    /// The rule on `iat`'s age (`maximumAge`, or `maximumAgeWithoutExpiry` without `exp`), which
    /// fails with its own code.
    public var ageReason: PolicyReason {
        PolicyReason(
            code: .logoutTokenTooOld,
            sentence: "a logout token must have an iat at most \(Self.maximumAge) s old (\(maximumAgeWithoutExpiry) s without exp)"
        )
    }

    public init(now: Int64, clockSkewSeconds: Int64, maximumAgeWithoutExpiry: Int64 = Self.defaultMaximumAgeWithoutExpiry) {
        self.now = now
        self.clockSkewSeconds = clockSkewSeconds
        self.maximumAgeWithoutExpiry = maximumAgeWithoutExpiry
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        if claims.expiry != nil { try ExpiryPolicy(now: now, clockSkewSeconds: clockSkewSeconds).check(claims) }
        guard let value = claims.issuedAt else { throw ageReason.failure("iat is missing") }
        guard let iat = ClaimReading.numericDate(value) else { throw ageReason.failure("iat is not a NumericDate") }
        guard now < ageEnd(iat: iat, hasExpiry: claims.expiry != nil) else { throw ageReason.failure("issued \(now &- iat) s ago") }
    }

    /// The first second at which a token with these claims is refused (it is accepted while
    /// `now` is before it, as `check` says), once this rule has passed.
    public func acceptedUntil(_ claims: IDTokenClaimSet) -> Int64? {
        guard let iat = claims.issuedAt.flatMap(ClaimReading.numericDate) else { return nil }
        let ageEnd = ageEnd(iat: iat, hasExpiry: claims.expiry != nil)
        guard let exp = claims.expiry.flatMap(ClaimReading.numericDate) else { return ageEnd }
        return min(saturatingAdd(exp, clockSkewSeconds), ageEnd)
    }

    private func ageEnd(iat: Int64, hasExpiry: Bool) -> Int64 {
        saturatingAdd(saturatingAdd(iat, hasExpiry ? Self.maximumAge : maximumAgeWithoutExpiry), clockSkewSeconds)
    }
}

/// `events` must be a JSON object with the member
/// `http://schemas.openid.net/event/backchannel-logout`, whose value is a JSON object (section
/// 2.4): the claim that declares the JWT a logout token, and that no ID token carries.
public struct LogoutEventPolicy: IDTokenClaimPolicy {
    public static let eventName = "http://schemas.openid.net/event/backchannel-logout"
    public var reason: PolicyReason {
        PolicyReason(code: .missingLogoutEvent, sentence: "a logout token's events must hold the back-channel logout event, as an object")
    }

    public init() {}

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.events else { throw reason.failure("events is missing") }
        guard case .object(let events) = value else { throw reason.failure("events is not an object") }
        guard let event = events[Self.eventName] else { throw reason.failure("events lacks the back-channel logout event") }
        guard case .object = event else { throw reason.failure("the back-channel logout event's value is not an object") }
    }
}

/// A logout token must carry `sub`, `sid`, or both (section 2.4): without either it names
/// nobody, and acting on it could only mean signing out everyone.
///
/// Under a subject rule other than `sub` (Entra's `oid_tid`), identities are not stored under
/// the token's `sub`, so a `sub` names nobody there: such a provider's token must carry `sid`.
/// Answering 200 to a `sub`-only token would tell the provider sessions ended that did not.
public struct SubjectOrSessionPolicy: IDTokenClaimPolicy {
    /// Whether identities are keyed by the token's `sub` (the `sub` subject rule).
    public let subjectNamesIdentities: Bool

    public var reason: PolicyReason {
        PolicyReason(
            code: .missingSubjectAndSession,
            sentence: subjectNamesIdentities
                ? "a logout token must carry sub, sid, or both" : "under this provider's subject rule, a logout token must carry sid"
        )
    }

    public init(subjectNamesIdentities: Bool = true) {
        self.subjectNamesIdentities = subjectNamesIdentities
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        if subjectNamesIdentities {
            guard claims.subject != nil || claims.sessionID != nil else { throw reason.failure("neither is present") }
        } else {
            guard claims.sessionID != nil else { throw reason.failure("sid is absent, and sub names no identity here") }
        }
    }
}

/// A logout token's `sub`, when present, follows the ID token's rule (`SubjectPolicy`): it is
/// half of the key the identity it signs out is stored under.
public struct OptionalSubjectPolicy: IDTokenClaimPolicy {
    public var reason: PolicyReason { SubjectPolicy().reason }

    public init() {}

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard claims.subject != nil else { return }
        try SubjectPolicy().check(claims)
    }
}

/// A logout token must not carry `nonce` (section 2.4): an ID token does, so a token with one
/// may be an ID token sent where a logout token belongs.
public struct NoNoncePolicy: IDTokenClaimPolicy {
    public var reason: PolicyReason { PolicyReason(code: .nonceInLogoutToken, sentence: "a logout token must not carry a nonce") }

    public init() {}

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard claims.nonce == nil else { throw reason.failure("nonce is present") }
    }
}

/// A logout token must carry `jti`, a string of 1 to 255 bytes (section 2.4): the key of the
/// replay record, which refuses a second token with the same issuer and `jti`.
public struct TokenIDPolicy: IDTokenClaimPolicy {
    public static let maximumBytes = 255
    public var reason: PolicyReason { PolicyReason(code: .invalidTokenID, sentence: "a logout token's jti must be a string of 1 to 255 bytes") }

    public init() {}

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.tokenID else { throw reason.failure("jti is missing") }
        guard case .string(let jti) = value else { throw reason.failure("jti is not a string") }
        let length = jti.utf8.count
        guard length >= 1 else { throw reason.failure("jti is empty") }
        guard length <= Self.maximumBytes else { throw reason.failure("jti is \(length) bytes") }
    }
}
