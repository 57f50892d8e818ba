import JOSE

/// What the start of a code flow kept server-side, which its callback needs to finish it.
/// Holds the PKCE verifier and the nonce: never log them.
public struct PendingAuthorization: Sendable, Equatable {
    public let nonce: String
    public let codeVerifier: String
    public let redirectURI: String

    public init(nonce: String, codeVerifier: String, redirectURI: String) {
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.redirectURI = redirectURI
    }
}

/// A callback finished: who the provider says signed in, verified.
public struct CompletedAuthorization: Sendable {
    /// The identity's key at this provider: the verified `iss` and the subject the profile's
    /// rule makes (`sub`, or Entra ID's tenant and object id); for GitHub, the server's URL and
    /// the account id.
    public let issuer: String
    public let subject: String
    /// The ID token, verified by every rule of `IDTokenValidator`; nil for GitHub, which has none.
    public let idToken: IDTokenClaims?
    /// The upstream identity provider a broker (CILogon) names, when its profile reads one.
    public let upstreamIdP: String?
    /// The ID token's claims, with userinfo's added under them when userinfo was asked and
    /// answered about the same subject; the ID token's claims alone otherwise.
    public let claims: [String: JSONValue]
    public let userinfo: UserinfoOutcome
    /// The compact ID token, kept only when the provider has an `end_session_endpoint`, to name
    /// the session there at sign-out (OIDC RP-Initiated Logout's `id_token_hint`).
    public let idTokenForSignOut: String?
}

/// What became of userinfo in one callback. Userinfo only adds claims; the ID token already
/// proved who signed in, so none of these stops the sign-in.
public enum UserinfoOutcome: Sendable {
    /// Turned off in the settings, or the provider has no userinfo endpoint.
    case notAsked
    case merged
    /// Answered, but not usable (another subject, not JSON): its claims were left out.
    case discarded(OIDCError)
    /// Not answered (transport failure, an error status).
    case failed(OIDCError)
}

/// Why a callback did not finish, by the step that refused it, each with the OIDC layer's
/// error (its message is for logs: it never carries a token, code or secret).
public enum CodeFlowFailure: Error, Sendable {
    /// Discovery could not be had, or says the provider cannot work with these settings.
    case providerUnavailable(OIDCError)
    /// The `iss` parameter (RFC 9207) is missing where promised, or names another issuer.
    case issuerParameter(OIDCError)
    /// The provider answered the authorization request with an error (`error`, `error_description`).
    case providerError(code: String, description: String?)
    case tokenExchange(OIDCError)
    case idTokenRejected(OIDCError)
    /// A provider without ID tokens (GitHub) did not say who signed in.
    case accountUnavailable(OIDCError)
}
