import Crypto
import JOSE

/// How Gatehouse proves to a provider's token endpoint that it is the client (OIDC Core
/// section 9): the rule that picks the method, and the credentials each method sends.
public enum ClientAuthentication {
    /// The method to use with a provider whose discovery lists `advertised`
    /// (`token_endpoint_auth_methods_supported`; nil when the document has none, which OIDC
    /// Discovery section 3 says means `client_secret_basic`).
    ///
    /// A configured method is used as configured, advertised or not (a provider may accept more
    /// than it lists; `unadvertisedWarning` tells the operator). Otherwise: `private_key_jwt` when
    /// a key is configured and the provider lists it; `client_secret_basic` when there is a secret
    /// and the provider lists it or lists nothing; `client_secret_post` when there is a secret and
    /// the provider lists it. Anything else cannot work, and is a configuration error that says
    /// what the provider offers.
    public static func method(for settings: OIDCProviderSettings, advertised: [String]?) throws(OIDCError) -> TokenEndpointAuthMethod {
        if let configured = settings.tokenEndpointAuthMethod { return configured }
        let hasSecret = !settings.clientSecret.isEmpty
        if settings.clientAssertionKey != nil, advertised?.contains(TokenEndpointAuthMethod.privateKeyJWT.rawValue) == true {
            return .privateKeyJWT
        }
        if hasSecret, advertised?.contains(TokenEndpointAuthMethod.clientSecretBasic.rawValue) ?? true { return .clientSecretBasic }
        if hasSecret, advertised?.contains(TokenEndpointAuthMethod.clientSecretPost.rawValue) == true { return .clientSecretPost }
        let offered = advertised.map { $0.isEmpty ? "none" : $0.prefix(8).joined(separator: ", ") } ?? "client_secret_basic (by default)"
        let have = hasSecret ? "a client secret" : "a client assertion key"
        throw .make(
            .invalidConfiguration,
            "provider \(settings.slug): its token endpoint accepts \(offered), none of which works with \(have); set token_endpoint_auth_method, client_secret or client_assertion_key"
        )
    }

    /// A warning for `check-config` when the configured method is not among those the provider
    /// lists; nil when it is, when nothing is configured, or when the provider lists nothing.
    public static func unadvertisedWarning(for settings: OIDCProviderSettings, advertised: [String]?) -> String? {
        guard let configured = settings.tokenEndpointAuthMethod, let advertised, !advertised.contains(configured.rawValue) else { return nil }
        return "token_endpoint_auth_method \(configured.rawValue) is not among the methods the provider advertises (\(advertised.prefix(8).joined(separator: ", ")))"
    }

    /// The credentials of `method` for one token request. `privateKeyJWT` signs a fresh client
    /// assertion (RFC 7523 section 3): issuer and subject are the client id, the audience is the
    /// token endpoint, a random `jti`, issued now and valid for `assertionLifetimeSeconds`.
    public static func credentials(
        _ method: TokenEndpointAuthMethod, settings: OIDCProviderSettings, tokenEndpoint: String, now: Int64
    ) throws(OIDCError) -> ClientCredentials {
        switch method {
        case .clientSecretBasic: return .secretBasic(settings.clientSecret)
        case .clientSecretPost: return .secretPost(settings.clientSecret)
        case .privateKeyJWT:
            guard let key = settings.clientAssertionKey else {
                throw .make(.invalidConfiguration, "provider \(settings.slug): private_key_jwt needs a client assertion key")
            }
            let claims: [(String, JSONValue)] = [
                ("iss", .string(settings.clientID)), ("sub", .string(settings.clientID)), ("aud", .string(tokenEndpoint)),
                ("jti", .string(try RandomToken.make())), ("iat", .number(String(now))),
                ("exp", .number(String(now + assertionLifetimeSeconds))),
            ]
            let payload: [UInt8]
            do { payload = try JSONValue.serializedObject(claims) } catch {
                throw .make(.invalidConfiguration, "provider \(settings.slug): the client assertion could not be written: \(error.message)")
            }
            do {
                return .assertion(try key.sign(payload: payload))
            } catch {
                throw .make(.invalidConfiguration, "provider \(settings.slug): the client assertion could not be signed: \(error.message)")
            }
        }
    }

    /// How long a client assertion is valid: long enough for one request, short enough that a
    /// copy is worth nothing (the provider also refuses a `jti` twice).
    public static let assertionLifetimeSeconds: Int64 = 60
}

/// What one token request carries to authenticate the client. Holds a secret or a signed
/// assertion: never log it.
public enum ClientCredentials: Sendable, Equatable {
    case secretBasic(String)
    case secretPost(String)
    case assertion(String)
}
