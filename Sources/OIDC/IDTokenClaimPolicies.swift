import Crypto
import JOSE

// One rule each, after OIDC Core 1.0 section 3.1.3.7. Messages never quote a claim value: the
// values are attacker-chosen until every rule has passed, and some (nonce) are secrets. The rules
// a logout token shares with an ID token (iss, aud, iat, nbf, exp when present, sub when present,
// sid) say "a token's": `LogoutTokenValidator` applies the same policies, not copies of them.

/// `iss` must be exactly the provider's issuer (step 2).
public struct IssuerPolicy: IDTokenClaimPolicy {
    public let issuer: String
    public var reason: PolicyReason { PolicyReason(code: .issuerMismatch, sentence: "a token's iss must be exactly the provider's issuer") }

    public init(issuer: String) { self.issuer = issuer }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.issuer else { throw reason.failure("iss is missing") }
        guard case .string(let iss) = value else { throw reason.failure("iss is not a string") }
        guard ExactMatch.equal(iss, issuer) else { throw reason.failure("iss differs") }
    }
}

/// `aud` must contain our client id, and every other audience must be configured as trusted
/// (step 3): a token minted for another client must not sign anyone in here.
public struct AudiencePolicy: IDTokenClaimPolicy {
    public let clientID: String
    public let trustedAudiences: [String]
    public var reason: PolicyReason { PolicyReason(code: .audienceMismatch, sentence: "a token's aud must contain our client id") }
    /// The reason for the second half of the rule, which fails with its own code.
    public var untrustedReason: PolicyReason { PolicyReason(code: .untrustedAudience, sentence: "a token's other audiences must be configured as trusted") }

    public init(clientID: String, trustedAudiences: [String]) {
        self.clientID = clientID
        self.trustedAudiences = trustedAudiences
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        let audience = claims.audience
        if case .string(let single) = audience {
            // The usual shape, checked without building a one-element list; the rule is the same.
            guard ExactMatch.equal(single, clientID) else { throw reason.failure("our client id is not among them") }
            return
        }
        guard let audiences = ClaimReading.audiences(audience) else {
            throw reason.failure("aud is missing, empty, or not a string or array of strings")
        }
        guard audiences.contains(where: { ExactMatch.equal($0, clientID) }) else { throw reason.failure("our client id is not among them") }
        for audience in audiences where !ExactMatch.equal(audience, clientID) {
            guard trustedAudiences.contains(where: { ExactMatch.equal($0, audience) }) else {
                throw untrustedReason.failure("aud has \(audiences.count) entries, one of them not trusted")
            }
        }
    }
}

/// `azp`, when present, must be our client id; when `aud` has several entries it must be
/// present (steps 4 and 5 as in OIDC Core 1.0 with errata set 1, the stricter reading): with
/// several audiences, it is what says the token was issued to us.
public struct AuthorizedPartyPolicy: IDTokenClaimPolicy {
    public let clientID: String
    public var reason: PolicyReason {
        PolicyReason(
            code: .authorizedPartyMismatch,
            sentence: "an ID token's azp must be our client id, and must be present when there are several audiences"
        )
    }

    public init(clientID: String) { self.clientID = clientID }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.authorizedParty else {
            if let audiences = ClaimReading.audiences(claims.audience), audiences.count > 1 {
                throw reason.failure("azp is missing and aud has \(audiences.count) entries")
            }
            return
        }
        guard case .string(let azp) = value else { throw reason.failure("azp is not a string") }
        guard ExactMatch.equal(azp, clientID) else { throw reason.failure("azp differs") }
    }
}

/// `exp` must be present and still ahead of now, allowing the clock skew (step 9).
public struct ExpiryPolicy: IDTokenClaimPolicy {
    public let now: Int64
    public let clockSkewSeconds: Int64
    public var reason: PolicyReason { PolicyReason(code: .expired, sentence: "a token's exp must be present and in the future") }

    public init(now: Int64, clockSkewSeconds: Int64) {
        self.now = now
        self.clockSkewSeconds = clockSkewSeconds
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.expiry else { throw reason.failure("exp is missing") }
        guard let exp = ClaimReading.numericDate(value) else { throw reason.failure("exp is not a NumericDate") }
        guard now < saturatingAdd(exp, clockSkewSeconds) else { throw reason.failure("expired \(now &- exp) s ago") }
    }
}

/// `iat` must be present and not in the future, allowing the clock skew (step 10): a token
/// "issued" later than now was made by a clock we must not trust.
public struct IssuedAtPolicy: IDTokenClaimPolicy {
    public let now: Int64
    public let clockSkewSeconds: Int64
    public var reason: PolicyReason { PolicyReason(code: .issuedAtInvalid, sentence: "a token's iat must be present and not in the future") }

    public init(now: Int64, clockSkewSeconds: Int64) {
        self.now = now
        self.clockSkewSeconds = clockSkewSeconds
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.issuedAt else { throw reason.failure("iat is missing") }
        guard let iat = ClaimReading.numericDate(value) else { throw reason.failure("iat is not a NumericDate") }
        guard iat <= saturatingAdd(now, clockSkewSeconds) else { throw reason.failure("iat is \(iat &- now) s ahead") }
    }
}

/// `nbf`, when present, must not be in the future, allowing the clock skew (RFC 7519 section 4.1.5).
public struct NotBeforePolicy: IDTokenClaimPolicy {
    public let now: Int64
    public let clockSkewSeconds: Int64
    public var reason: PolicyReason { PolicyReason(code: .notYetValid, sentence: "a token's nbf, when present, must not be in the future") }

    public init(now: Int64, clockSkewSeconds: Int64) {
        self.now = now
        self.clockSkewSeconds = clockSkewSeconds
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.notBefore else { return }
        guard let nbf = ClaimReading.numericDate(value) else { throw reason.failure("nbf is not a NumericDate") }
        guard nbf <= saturatingAdd(now, clockSkewSeconds) else { throw reason.failure("nbf is \(nbf &- now) s ahead") }
    }
}

/// `nonce` must be exactly the one we sent with this authorization request (step 11), compared
/// in constant time: it binds the token to the browser that started the sign-in.
public struct NoncePolicy: IDTokenClaimPolicy {
    public let expectedNonce: String
    public var reason: PolicyReason { PolicyReason(code: .nonceMismatch, sentence: "an ID token's nonce must be the one sent with the request") }

    public init(expectedNonce: String) { self.expectedNonce = expectedNonce }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        // An empty expected nonce would let a token without a real nonce through: never.
        guard !expectedNonce.isEmpty else { throw reason.failure("no nonce was expected, so nothing can match") }
        guard let value = claims.nonce else { throw reason.failure("nonce is missing") }
        guard case .string(let nonce) = value else { throw reason.failure("nonce is not a string") }
        guard Digest.constantTimeEqual(nonce, expectedNonce) else { throw reason.failure("nonce differs") }
    }
}

/// `sub` must be present, a string, and 1 to 255 bytes (OIDC Core 2): it is half of the key an
/// identity is stored under, so an absent or unbounded one cannot be allowed.
public struct SubjectPolicy: IDTokenClaimPolicy {
    public static let maximumBytes = 255
    public var reason: PolicyReason { PolicyReason(code: .invalidSubject, sentence: "a token's sub must be a string of 1 to 255 bytes") }

    public init() {}

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.subject else { throw reason.failure("sub is missing") }
        guard case .string(let sub) = value else { throw reason.failure("sub is not a string") }
        let length = sub.utf8.count
        guard length >= 1 else { throw reason.failure("sub is empty") }
        guard length <= Self.maximumBytes else { throw reason.failure("sub is \(length) bytes") }
    }
}

/// When `max_age` was sent, `auth_time` must be present and no older than `max_age` seconds,
/// allowing the clock skew (OIDC Core 3.1.2.1 and 3.1.3.7 step 13).
public struct AuthenticationAgePolicy: IDTokenClaimPolicy {
    public let maxAge: Int64
    public let now: Int64
    public let clockSkewSeconds: Int64
    public var reason: PolicyReason {
        PolicyReason(
            code: .authenticationTooOld,
            sentence: "with max_age, an ID token's auth_time must be present and recent enough"
        )
    }

    public init(maxAge: Int64, now: Int64, clockSkewSeconds: Int64) {
        self.maxAge = maxAge
        self.now = now
        self.clockSkewSeconds = clockSkewSeconds
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.authTime else { throw reason.failure("auth_time is missing") }
        guard let authTime = ClaimReading.numericDate(value) else { throw reason.failure("auth_time is not a NumericDate") }
        let deadline = saturatingAdd(saturatingAdd(authTime, maxAge), clockSkewSeconds)
        guard now <= deadline else { throw reason.failure("authentication is \(now &- authTime) s old") }
    }
}

/// `sid`, when present, must be a string of 1 to 255 bytes (OIDC Front-Channel Logout 1.0
/// section 3, Back-Channel Logout 1.0 section 2.4). Gatehouse keeps an ID token's `sid` with the
/// session so a back-channel logout can name it; a `sid` it could not keep would leave that
/// session beyond the provider's reach, so the sign-in is refused rather than half-recorded.
public struct SessionIDPolicy: IDTokenClaimPolicy {
    public static let maximumBytes = 255
    public var reason: PolicyReason { PolicyReason(code: .invalidSessionID, sentence: "a token's sid, when present, must be a string of 1 to 255 bytes") }

    public init() {}

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard let value = claims.sessionID else { return }
        guard case .string(let sid) = value else { throw reason.failure("sid is not a string") }
        let length = sid.utf8.count
        guard length >= 1 else { throw reason.failure("sid is empty") }
        guard length <= Self.maximumBytes else { throw reason.failure("sid is \(length) bytes") }
    }
}
