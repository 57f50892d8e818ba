import JOSE

/// Validates a logout token from a provider's back-channel logout request, every rule of OIDC
/// Back-Channel Logout 1.0 section 2.6 that needs no storage.
///
/// The order is the ID token's: parse the JWS; apply the header policies (`typ`, then the
/// algorithm allow-list) before any key is touched; verify the signature exactly as an ID
/// token's (`SignedTokenVerification`, the same keys, allow-list and HMAC opt-in); then apply the
/// claim policies. What is left to the caller is step 8, the replay record: a `jti` seen before
/// from the same issuer is refused, and the `jti` is recorded only after every rule here has
/// passed, so strangers cannot fill the record.
public enum LogoutTokenValidator {
    public static func validate(
        compactToken: String,
        keys: JSONWebKeySet,
        settings: OIDCProviderSettings,
        advertisedAlgorithms: [JWSAlgorithm]?,
        now: Int64
    ) throws(OIDCError) -> LogoutTokenClaims {
        do throws(OIDCError) {
            let (claims, algorithm) = try SignedTokenVerification.verify(
                compactToken, kind: .logoutToken, keys: keys, settings: settings, advertisedAlgorithms: advertisedAlgorithms
            ) { (header, allowed) throws(OIDCError) in
                for policy in headerPolicies(allowedAlgorithms: allowed) { try policy.check(header) }
            }
            for policy in claimPolicies(settings: settings, now: now) { try policy.check(claims) }
            return try LogoutTokenClaims(
                claims: claims, subjectNamesIdentities: subjectNamesIdentities(settings),
                lifetime: lifetimePolicy(settings: settings, now: now), algorithm: algorithm
            )
        } catch {
            throw named(error)
        }
    }

    /// The header rules, in the order they are applied.
    public static func headerPolicies(allowedAlgorithms: [JWSAlgorithm]) -> [any IDTokenHeaderPolicy] {
        [LogoutTokenTypePolicy(), AlgorithmPolicy(allowed: allowedAlgorithms)]
    }

    /// The claim rules for these settings, in the order they are applied. A list per token is
    /// affordable here: logout tokens come one per sign-out, not one per page view.
    public static func claimPolicies(settings: OIDCProviderSettings, now: Int64) -> [any IDTokenClaimPolicy] {
        let skew = clockSkew(settings)
        return [
            settings.issuerPolicy,
            AudiencePolicy(clientID: settings.clientID, trustedAudiences: settings.trustedAudiences),
            IssuedAtPolicy(now: now, clockSkewSeconds: skew),
            lifetimePolicy(settings: settings, now: now),
            NotBeforePolicy(now: now, clockSkewSeconds: skew),
            LogoutEventPolicy(),
            SubjectOrSessionPolicy(subjectNamesIdentities: subjectNamesIdentities(settings)),
            OptionalSubjectPolicy(),
            SessionIDPolicy(),
            NoNoncePolicy(),
            TokenIDPolicy(),
        ]
    }

    private static func lifetimePolicy(settings: OIDCProviderSettings, now: Int64) -> LogoutTokenLifetimePolicy {
        LogoutTokenLifetimePolicy(now: now, clockSkewSeconds: clockSkew(settings))
    }

    /// Whether a logout token's `sub` is the subject identities are stored under here.
    private static func subjectNamesIdentities(_ settings: OIDCProviderSettings) -> Bool {
        settings.quirks.subject == .sub
    }

    private static func clockSkew(_ settings: OIDCProviderSettings) -> Int64 {
        Int64(max(0, settings.clockSkewSeconds))
    }

    /// The shared policies speak of "a token"; a log line should say which.
    private static func named(_ error: OIDCError) -> OIDCError {
        guard !error.message.hasPrefix("logout token") else { return error }
        return OIDCError(
            code: error.code, message: "logout token refused: \(error.message)", joseCode: error.joseCode, fileID: error.fileID, line: error.line
        )
    }
}
