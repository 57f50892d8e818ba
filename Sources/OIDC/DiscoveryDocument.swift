import JOSE

/// A provider's OpenID Connect discovery document (OIDC Discovery 1.0 section 3), checked.
///
/// `parse` holds it to what Gatehouse relies on: `issuer` exactly equal to the configured issuer
/// (section 4.3: otherwise a document served by one provider could speak for another), the
/// three endpoints the code flow needs, and every endpoint on https (loopback http only when
/// allowed). Optional members must have their specified types when present.
public struct DiscoveryDocument: Sendable, Equatable {
    /// Discovery documents larger than this are refused; real ones are a few kilobytes.
    public static let maximumBytes = 256 * 1024

    public let issuer: String
    public let authorizationEndpoint: EndpointURL
    public let tokenEndpoint: EndpointURL
    /// Nil only for a provider without ID tokens (GitHub), whose document Gatehouse writes itself.
    public let jwksURI: EndpointURL?
    public let userinfoEndpoint: EndpointURL?
    public let endSessionEndpoint: EndpointURL?
    /// `id_token_signing_alg_values_supported` as written, names we do not implement included.
    public let idTokenSigningAlgValuesSupported: [String]?
    public let responseModesSupported: [String]?
    public let codeChallengeMethodsSupported: [String]?
    public let tokenEndpointAuthMethodsSupported: [String]?
    /// RFC 9207: whether the provider puts `iss` in every authorization response. Absent means false.
    public let authorizationResponseIssParameterSupported: Bool

    /// The advertised algorithms this library implements, or nil when the document advertises
    /// none (then the configured list applies unnarrowed). Names we do not implement (`none`
    /// among them) drop out, so a document advertising only those leaves an empty list: nothing
    /// is accepted, which is the safe reading.
    public var advertisedAlgorithms: [JWSAlgorithm]? {
        idTokenSigningAlgValuesSupported?.compactMap(JWSAlgorithm.init(rawValue:))
    }

    /// The endpoints a document names may use plain http (to a loopback host) only when the
    /// issuer itself does: a development provider on this machine. An https provider's
    /// document cannot point Gatehouse's back channel, its client secret and its people's tokens
    /// at a plain-http service on this machine.
    public static func parse(_ bytes: [UInt8], expectedIssuer: String, plainHTTPAllowedForLoopback: Bool) throws(OIDCError) -> DiscoveryDocument {
        let issuerURL = try IssuerURLPolicy.check(expectedIssuer, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback)
        let endpointsMayBePlain = plainHTTPAllowedForLoopback && issuerURL.scheme == .http
        let reader = try JSONObjectReader(bytes: bytes, maximumBytes: maximumBytes, code: .malformedDiscovery, what: "discovery document")
        let issuer = try reader.requiredString("issuer")
        guard ExactMatch.equal(issuer, expectedIssuer) else {
            throw .make(.discoveryIssuerMismatch, "discovery document issuer is not exactly the configured issuer")
        }

        func endpoint(_ name: String) throws(OIDCError) -> EndpointURL? {
            guard let text = try reader.optionalString(name) else { return nil }
            do {
                return try EndpointURL.parse(text, plainHTTPAllowedForLoopback: endpointsMayBePlain)
            } catch {
                throw .make(.malformedDiscovery, "discovery document \(name): \(error.message)")
            }
        }
        func requiredEndpoint(_ name: String) throws(OIDCError) -> EndpointURL {
            guard let url = try endpoint(name) else { throw .make(.malformedDiscovery, "discovery document has no \(name)") }
            return url
        }

        return DiscoveryDocument(
            issuer: issuer,
            authorizationEndpoint: try requiredEndpoint("authorization_endpoint"),
            tokenEndpoint: try requiredEndpoint("token_endpoint"),
            jwksURI: try requiredEndpoint("jwks_uri"),
            userinfoEndpoint: try endpoint("userinfo_endpoint"),
            endSessionEndpoint: try endpoint("end_session_endpoint"),
            idTokenSigningAlgValuesSupported: try reader.optionalStringArray("id_token_signing_alg_values_supported"),
            responseModesSupported: try reader.optionalStringArray("response_modes_supported"),
            codeChallengeMethodsSupported: try reader.optionalStringArray("code_challenge_methods_supported"),
            tokenEndpointAuthMethodsSupported: try reader.optionalStringArray("token_endpoint_auth_methods_supported"),
            authorizationResponseIssParameterSupported: try reader.optionalBool("authorization_response_iss_parameter_supported") ?? false
        )
    }

    /// GitHub's endpoints as a document: GitHub publishes none, and signs no ID tokens (so no
    /// key set). Its token endpoint documents `client_id` and `client_secret` as form
    /// parameters (`client_secret_post`); it takes PKCE S256; the callback carries no `iss`.
    public static func gitHub(_ endpoints: GitHubEndpoints, plainHTTPAllowedForLoopback: Bool) throws(OIDCError) -> DiscoveryDocument {
        func endpoint(_ text: String) throws(OIDCError) -> EndpointURL {
            do { return try EndpointURL.parse(text, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback) } catch {
                throw .make(.invalidConfiguration, "GitHub endpoint \(text): \(error.message)")
            }
        }
        return DiscoveryDocument(
            issuer: endpoints.web, authorizationEndpoint: try endpoint(endpoints.authorization), tokenEndpoint: try endpoint(endpoints.token),
            jwksURI: nil, userinfoEndpoint: nil, endSessionEndpoint: nil, idTokenSigningAlgValuesSupported: nil,
            responseModesSupported: ["query"], codeChallengeMethodsSupported: ["S256"],
            tokenEndpointAuthMethodsSupported: [TokenEndpointAuthMethod.clientSecretPost.rawValue],
            authorizationResponseIssParameterSupported: false
        )
    }

    /// Refuses a provider that says it cannot do what these settings need: PKCE with S256 (when
    /// it lists methods at all), the configured response mode, and a client authentication
    /// Gatehouse can use (`ClientAuthentication.method`). A missing userinfo endpoint is not
    /// refused: the caller then skips userinfo.
    public func checkCompatibility(with settings: OIDCProviderSettings) throws(OIDCError) {
        if let methods = codeChallengeMethodsSupported, !methods.contains("S256") {
            throw .make(.providerIncompatible, "provider does not list PKCE method S256, which Gatehouse always uses")
        }
        if settings.responseMode == .formPost, let modes = responseModesSupported, !modes.contains("form_post") {
            throw .make(.providerIncompatible, "provider does not list response mode form_post, which the settings ask for")
        }
        _ = try ClientAuthentication.method(for: settings, advertised: tokenEndpointAuthMethodsSupported)
    }
}
