import JOSE

/// The provider's metadata (OpenID Connect Discovery 1.0 section 3, RFC 9207 for `iss`).
enum DiscoveryDocument {
    static let scopes = ["openid", "email", "profile"]
    static let claims = [
        "sub", "iss", "aud", "azp", "exp", "iat", "auth_time", "nonce", "sid",
        "email", "email_verified", "name", "preferred_username",
    ]

    static func make(issuer: DevIssuer, algorithm: JWSAlgorithm, client: DevClient) -> JSONValue {
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        return .object([
            "issuer": .string(issuer.identifier),
            "authorization_endpoint": .string(issuer.endpoint("/authorize")),
            "token_endpoint": .string(issuer.endpoint("/token")),
            "userinfo_endpoint": .string(issuer.endpoint("/userinfo")),
            "jwks_uri": .string(issuer.endpoint("/jwks")),
            "end_session_endpoint": .string(issuer.endpoint("/end-session")),
            "response_types_supported": strings(["code"]),
            "response_modes_supported": strings(["query", "form_post"]),
            "grant_types_supported": strings(["authorization_code"]),
            "subject_types_supported": strings(["public"]),
            "id_token_signing_alg_values_supported": strings([algorithm.rawValue]),
            "token_endpoint_auth_methods_supported": strings(client.authMethods),
            "token_endpoint_auth_signing_alg_values_supported": strings(["RS256", "PS256", "ES256", "ES384", "EdDSA"]),
            "code_challenge_methods_supported": strings(["S256"]),
            "scopes_supported": strings(scopes),
            "claims_supported": strings(claims),
            "authorization_response_iss_parameter_supported": .bool(true),
        ])
    }
}
