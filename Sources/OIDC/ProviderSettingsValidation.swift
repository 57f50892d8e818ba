extension OIDCProviderSettings {
    /// The `prompt` values OIDC Core 3.1.2.1 defines.
    public static let promptValues: Set<String> = ["none", "login", "consent", "select_account"]

    /// Refuses settings that cannot work or would weaken a check, with the first problem found.
    /// `check-config` and start-up call this, so a bad provider never reaches a sign-in.
    public func validate(plainHTTPAllowedForLoopback: Bool) throws(OIDCError) {
        func refuse(_ why: String) -> OIDCError { .make(.invalidConfiguration, "provider \(slug): \(why)") }

        guard (1...64).contains(slug.utf8.count),
              slug.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }),
              slug.first != "-", slug.last != "-" else {
            throw .make(.invalidConfiguration, "provider slug must be 1 to 64 of a-z, 0-9 and inner hyphens")
        }
        guard !name.isEmpty else { throw refuse("name is empty") }
        _ = try IssuerURLPolicy.check(issuer, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback)
        do {
            _ = try EndpointURL.parse(effectiveDiscoveryURL, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback)
        } catch {
            throw refuse("discovery URL: \(error.message)")
        }
        guard !clientID.isEmpty else { throw refuse("client_id is empty") }
        // A secret is needed unless the client authenticates with its private key alone.
        let keyOnly = clientAssertionKey != nil && (tokenEndpointAuthMethod ?? .privateKeyJWT) == .privateKeyJWT
        guard !clientSecret.isEmpty || keyOnly else { throw refuse("client_secret is empty") }
        if tokenEndpointAuthMethod == .privateKeyJWT && clientAssertionKey == nil {
            throw refuse("private_key_jwt needs a client assertion key")
        }
        if let key = clientAssertionKey, OIDCProviderSettings.hmacAlgorithms.contains(key.algorithm) {
            throw refuse("a client assertion key signs with a private key, not HMAC")
        }

        guard scopes.contains("openid") || quirks.gitHub != nil else {
            throw refuse("scopes must include openid, or the provider answers as plain OAuth without an ID token")
        }
        if let tenantIssuer = quirks.tenantIssuer, !tenantIssuer.template.contains(TenantIssuer.placeholder) || tenantIssuer.template != issuer {
            throw refuse("a multi-tenant issuer is the issuer template, containing \(TenantIssuer.placeholder)")
        }
        for scope in scopes {
            // RFC 6749 section 3.3: scope tokens are %x21 / %x23-5B / %x5D-7E.
            guard !scope.isEmpty, scope.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) else {
                throw refuse("a scope is empty or has characters RFC 6749 does not allow")
            }
        }
        guard Set(scopes).count == scopes.count else { throw refuse("a scope is listed twice") }

        guard !allowedAlgorithms.isEmpty else { throw refuse("allowed algorithms are empty") }
        guard !allowedAlgorithms.contains(where: Self.hmacAlgorithms.contains) else {
            throw refuse("HMAC algorithms are enabled with allow_hmac, not in the algorithm list")
        }
        // RFC 7518 section 3.2: the key must be at least as long as the hash; HS512 needs 64 bytes,
        // and all three are enabled together.
        if allowHMAC && clientSecret.utf8.count < 64 {
            throw refuse("allow_hmac needs a client secret of at least 64 bytes (HS512's key size)")
        }
        for audience in trustedAudiences where audience.isEmpty || audience == clientID {
            throw refuse("trusted audiences must be non-empty and differ from the client id")
        }
        guard (0...600).contains(clockSkewSeconds) else { throw refuse("clock skew must be 0 to 600 seconds") }

        if let prompt {
            let values = prompt.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard !values.isEmpty, values.allSatisfy(Self.promptValues.contains), Set(values).count == values.count else {
                throw refuse("prompt must be space-separated values among none, login, consent, select_account")
            }
            // OIDC Core 3.1.2.1: none with any other value is an error at the provider.
            guard !values.contains("none") || values.count == 1 else { throw refuse("prompt none cannot be combined with other values") }
        }
        if let maxAge, maxAge < 0 { throw refuse("max_age must not be negative") }
        if let loginHint, loginHint.isEmpty { throw refuse("login_hint is empty") }
        guard acrValues.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { throw refuse("acr_values must be non-empty and without spaces") }
        do {
            try AuthorizationRequest.checkExtraParameters(extraAuthorizationParameters)
        } catch {
            throw refuse(error.message)
        }
        if let caBundlePath, caBundlePath.isEmpty { throw refuse("ca_bundle is empty") }
        guard jwksMinimumRefetchIntervalSeconds >= 1 else { throw refuse("the JWKS refetch interval must be at least 1 second") }
        guard discoveryRefreshSeconds >= 60 else { throw refuse("the discovery refresh interval must be at least 60 seconds") }
    }
}
