import JOSE

/// Where the provider sends the authorization response (OAuth 2.0 Multiple Response Types, Form Post Response Mode).
public enum ResponseMode: String, Sendable, Equatable {
    /// In the redirect's query string: the default for the code flow, so the parameter is not sent.
    case query
    /// In an auto-submitted POST form (`response_mode=form_post`): the code never sits in a URL or a Referer.
    case formPost = "form_post"
}

/// How Gatehouse authenticates to the token endpoint (OIDC Core section 9).
public enum TokenEndpointAuthMethod: String, Sendable, Equatable, CaseIterable {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 section 2.3.1).
    case clientSecretBasic = "client_secret_basic"
    /// `client_id` and `client_secret` in the form body.
    case clientSecretPost = "client_secret_post"
    /// A JWT signed with the client's own private key (RFC 7523, OIDC Core section 9): no shared
    /// secret crosses the wire or sits at the provider.
    case privateKeyJWT = "private_key_jwt"
}

/// One provider's settings, as the config file declares them, with the defaults the issue names.
///
/// This is plain data; `validate(plainHTTPAllowedForLoopback:)` says whether it can work, so
/// `check-config` and start-up refuse a bad provider before anyone tries to sign in with it.
public struct OIDCProviderSettings: Sendable {
    /// The default scopes: `openid` makes it OpenID Connect, the others ask for the claims linking needs.
    public static let defaultScopes = ["openid", "email", "profile"]
    /// The default signature algorithms: the asymmetric ones every mainstream provider offers.
    public static let defaultAllowedAlgorithms: [JWSAlgorithm] = [.rs256, .ps256, .es256, .edDSA]
    /// The HMAC algorithms, keyed by the client secret, only reachable through `allowHMAC`.
    public static let hmacAlgorithms: [JWSAlgorithm] = [.hs256, .hs384, .hs512]

    /// The name in routes (`/oidc/{slug}/...`): lower-case letters, digits and hyphens.
    public var slug: String
    /// The name people see on the sign-in page.
    public var name: String
    /// The issuer identifier, compared exactly (no trailing-slash or case normalisation).
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    public var scopes: [String]
    /// An explicit discovery URL, or nil for `issuer` + `/.well-known/openid-configuration`.
    public var discoveryURL: String?
    /// The algorithms we accept before discovery narrows them; HMAC ones belong in `allowHMAC`.
    public var allowedAlgorithms: [JWSAlgorithm]
    /// Whether HS256/384/512 tokens keyed by the client secret are accepted (OIDC Core 10.1). Off by
    /// default: anyone who knows the client secret can then mint ID tokens.
    public var allowHMAC: Bool
    /// Audiences that may appear in `aud` beside our client id.
    public var trustedAudiences: [String]
    /// How far the provider's clock may be from ours, in seconds, for `exp`, `iat`, `nbf` and `auth_time`.
    public var clockSkewSeconds: Int
    public var responseMode: ResponseMode
    /// The configured client authentication, or nil to choose it from discovery
    /// (`ClientAuthentication.method`).
    public var tokenEndpointAuthMethod: TokenEndpointAuthMethod?
    /// The private key `private_key_jwt` signs client assertions with, when configured.
    public var clientAssertionKey: JWSSigningKey?
    /// Whether the userinfo endpoint is called after the token exchange.
    public var userinfoEnabled: Bool
    /// `login_hint` to send, when set.
    public var loginHint: String?
    /// `prompt` to send (space-separated `none`, `login`, `consent`, `select_account`), when set.
    public var prompt: String?
    /// `max_age` to send, when set; `auth_time` is then required and checked.
    public var maxAge: Int?
    /// `acr_values` to send, in order of preference; nothing is sent when empty.
    public var acrValues: [String]
    /// Further authorization parameters, in order. They may never name a parameter Gatehouse sets itself.
    public var extraAuthorizationParameters: [(name: String, value: String)]
    /// A PEM bundle of extra CA certificates for a private provider, when set.
    public var caBundlePath: String?
    /// The least time between two JWKS fetches triggered by unknown `kid`s (routine fetches do
    /// not count: a rotation right after one must still be picked up).
    public var jwksMinimumRefetchIntervalSeconds: Int
    /// How long a good discovery document is used before it is fetched again.
    public var discoveryRefreshSeconds: Int
    /// What this provider does beyond plain OpenID Connect (its profile's rules).
    public var quirks: ProviderQuirks

    public init(
        slug: String,
        name: String,
        issuer: String,
        clientID: String,
        clientSecret: String,
        scopes: [String] = OIDCProviderSettings.defaultScopes,
        discoveryURL: String? = nil,
        allowedAlgorithms: [JWSAlgorithm] = OIDCProviderSettings.defaultAllowedAlgorithms,
        allowHMAC: Bool = false,
        trustedAudiences: [String] = [],
        clockSkewSeconds: Int = 60,
        responseMode: ResponseMode = .query,
        tokenEndpointAuthMethod: TokenEndpointAuthMethod? = nil,
        clientAssertionKey: JWSSigningKey? = nil,
        userinfoEnabled: Bool = true,
        loginHint: String? = nil,
        prompt: String? = nil,
        maxAge: Int? = nil,
        acrValues: [String] = [],
        extraAuthorizationParameters: [(name: String, value: String)] = [],
        caBundlePath: String? = nil,
        jwksMinimumRefetchIntervalSeconds: Int = 5,
        discoveryRefreshSeconds: Int = 3600,
        quirks: ProviderQuirks = ProviderQuirks()
    ) {
        self.slug = slug
        self.name = name
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.discoveryURL = discoveryURL
        self.allowedAlgorithms = allowedAlgorithms
        self.allowHMAC = allowHMAC
        self.trustedAudiences = trustedAudiences
        self.clockSkewSeconds = clockSkewSeconds
        self.responseMode = responseMode
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.clientAssertionKey = clientAssertionKey
        self.userinfoEnabled = userinfoEnabled
        self.loginHint = loginHint
        self.prompt = prompt
        self.maxAge = maxAge
        self.acrValues = acrValues
        self.extraAuthorizationParameters = extraAuthorizationParameters
        self.caBundlePath = caBundlePath
        self.jwksMinimumRefetchIntervalSeconds = jwksMinimumRefetchIntervalSeconds
        self.discoveryRefreshSeconds = discoveryRefreshSeconds
        self.quirks = quirks
    }

    /// The URL of the discovery document: the configured one, or the issuer with every trailing
    /// slash removed and `/.well-known/openid-configuration` appended (OIDC Discovery section 4),
    /// so there is exactly one slash between them.
    public var effectiveDiscoveryURL: String {
        if let discoveryURL { return discoveryURL }
        var base = Substring(issuer)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + "/.well-known/openid-configuration"
    }

    /// The algorithms an ID token may use: the configured asymmetric ones, plus HS256/384/512 when
    /// `allowHMAC` is on, narrowed to what discovery advertises when it advertises anything
    /// (nil means the document has no `id_token_signing_alg_values_supported`).
    public func effectiveAlgorithms(advertised: [JWSAlgorithm]?) -> [JWSAlgorithm] {
        // One list, built once: this runs for every ID token.
        var effective: [JWSAlgorithm] = []
        effective.reserveCapacity(allowedAlgorithms.count + (allowHMAC ? Self.hmacAlgorithms.count : 0))
        for algorithm in allowedAlgorithms where !Self.hmacAlgorithms.contains(algorithm) {
            if advertised?.contains(algorithm) ?? true { effective.append(algorithm) }
        }
        if allowHMAC {
            for algorithm in Self.hmacAlgorithms where advertised?.contains(algorithm) ?? true {
                effective.append(algorithm)
            }
        }
        return effective
    }
}

extension OIDCProviderSettings: Equatable {
    /// Member by member; written out because the ordered extra parameters are tuples.
    public static func == (lhs: OIDCProviderSettings, rhs: OIDCProviderSettings) -> Bool {
        lhs.slug == rhs.slug && lhs.name == rhs.name && lhs.issuer == rhs.issuer && lhs.clientID == rhs.clientID
            && lhs.clientSecret == rhs.clientSecret && lhs.scopes == rhs.scopes && lhs.discoveryURL == rhs.discoveryURL
            && lhs.allowedAlgorithms == rhs.allowedAlgorithms && lhs.allowHMAC == rhs.allowHMAC
            && lhs.trustedAudiences == rhs.trustedAudiences && lhs.clockSkewSeconds == rhs.clockSkewSeconds
            && lhs.responseMode == rhs.responseMode && lhs.tokenEndpointAuthMethod == rhs.tokenEndpointAuthMethod
            && lhs.clientAssertionKey?.publicJWK == rhs.clientAssertionKey?.publicJWK
            && lhs.userinfoEnabled == rhs.userinfoEnabled && lhs.loginHint == rhs.loginHint && lhs.prompt == rhs.prompt
            && lhs.maxAge == rhs.maxAge && lhs.acrValues == rhs.acrValues
            && lhs.extraAuthorizationParameters.elementsEqual(rhs.extraAuthorizationParameters) { $0.name == $1.name && $0.value == $1.value }
            && lhs.caBundlePath == rhs.caBundlePath
            && lhs.jwksMinimumRefetchIntervalSeconds == rhs.jwksMinimumRefetchIntervalSeconds
            && lhs.discoveryRefreshSeconds == rhs.discoveryRefreshSeconds && lhs.quirks == rhs.quirks
    }
}
