import JOSE

/// Validates an ID token from the token endpoint, every rule of OIDC Core 3.1.3.7 that applies.
///
/// The order is fixed: parse the JWS; apply the header policies (`typ`, the algorithm
/// allow-list) before any key is touched; verify the signature with JOSE's strict key selection;
/// then apply the claim policies to the verified payload. The first three steps are
/// `SignedTokenVerification`, which logout tokens share. A JOSE `unknownKeyID` comes out as
/// `OIDCError.Code.unknownSigningKey`, the one failure after which refetching the key set (once,
/// see `JWKSCacheState.claimRefetchForUnknownKeyID`) may help.
public enum IDTokenValidator {
    public static func validate(
        compactToken: String,
        keys: JSONWebKeySet,
        settings: OIDCProviderSettings,
        advertisedAlgorithms: [JWSAlgorithm]?,
        expectedNonce: String,
        now: Int64
    ) throws(OIDCError) -> IDTokenClaims {
        let (claims, algorithm) = try SignedTokenVerification.verify(
            compactToken, kind: .idToken, keys: keys, settings: settings, advertisedAlgorithms: advertisedAlgorithms
        ) { (header, allowed) throws(OIDCError) in
            try forEachHeaderPolicy(allowedAlgorithms: allowed) { (policy) throws(OIDCError) in
                try policy.check(header)
            }
        }
        try forEachClaimPolicy(settings: settings, expectedNonce: expectedNonce, now: now) { (policy) throws(OIDCError) in
            try policy.check(claims)
        }
        return try IDTokenClaims(claims: claims, algorithm: algorithm)
    }

    /// The header rules, in the order they are applied.
    public static func headerPolicies(allowedAlgorithms: [JWSAlgorithm]) -> [any IDTokenHeaderPolicy] {
        var policies: [any IDTokenHeaderPolicy] = []
        forEachHeaderPolicy(allowedAlgorithms: allowedAlgorithms) { policies.append($0) }
        return policies
    }

    /// Hands each header rule to `body`, in the order they are applied; `validate` walks them
    /// this way, without an array per token, and `headerPolicies` collects the same calls.
    static func forEachHeaderPolicy<Failure: Error>(
        allowedAlgorithms: [JWSAlgorithm],
        _ body: (any IDTokenHeaderPolicy) throws(Failure) -> Void
    ) throws(Failure) {
        try body(TokenTypePolicy())
        try body(AlgorithmPolicy(allowed: allowedAlgorithms))
    }

    /// The claim rules for these settings, in the order they are applied.
    public static func claimPolicies(settings: OIDCProviderSettings, expectedNonce: String, now: Int64) -> [any IDTokenClaimPolicy] {
        var policies: [any IDTokenClaimPolicy] = []
        policies.reserveCapacity(10)
        forEachClaimPolicy(settings: settings, expectedNonce: expectedNonce, now: now) { policies.append($0) }
        return policies
    }

    // The claim rules are written once, below, as calls in order. `validate` walks them without
    // collecting them into an array (an allocation per token); `claimPolicies` collects the same
    // calls, so what it lists is what `validate` applies.

    /// Hands each claim rule for these settings to `body`, in the order they are applied.
    static func forEachClaimPolicy<Failure: Error>(
        settings: OIDCProviderSettings,
        expectedNonce: String,
        now: Int64,
        _ body: (any IDTokenClaimPolicy) throws(Failure) -> Void
    ) throws(Failure) {
        let skew = Int64(max(0, settings.clockSkewSeconds))
        try body(settings.issuerPolicy)
        try body(AudiencePolicy(clientID: settings.clientID, trustedAudiences: settings.trustedAudiences))
        try body(AuthorizedPartyPolicy(clientID: settings.clientID))
        try body(ExpiryPolicy(now: now, clockSkewSeconds: skew))
        try body(IssuedAtPolicy(now: now, clockSkewSeconds: skew))
        try body(NotBeforePolicy(now: now, clockSkewSeconds: skew))
        try body(NoncePolicy(expectedNonce: expectedNonce))
        try body(SubjectPolicy())
        try body(SessionIDPolicy())
        if let maxAge = settings.maxAge {
            try body(AuthenticationAgePolicy(maxAge: Int64(max(0, maxAge)), now: now, clockSkewSeconds: skew))
        }
        if !settings.quirks.hostedDomains.isEmpty {
            try body(HostedDomainPolicy(allowed: settings.quirks.hostedDomains))
        }
    }
}
