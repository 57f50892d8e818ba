import JOSE

/// Every failure the OIDC layer reports: a code to switch on and a sentence for people.
///
/// `Code` is a struct rather than an enum so that adding a code later never breaks an exhaustive
/// `switch` elsewhere (the habit of swift-certificates' `Error.swift`). `message` never holds a
/// token, code, secret, state or nonce value: these errors end up in logs and on pages.
public struct OIDCError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        // MARK: Configuration and URLs
        /// A provider's settings cannot work (missing client id, reserved extra parameter, ...).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A URL (issuer, endpoint, discovery URL) breaks the URL policy: not https, has user info, a fragment, ...
        public static let invalidURL = Code("invalidURL")
        /// The random source failed; nothing secret can be made.
        public static let randomSourceFailed = Code("randomSourceFailed")

        // MARK: Discovery
        /// The discovery document is not JSON, lacks a required member, or has a member of the wrong type.
        public static let malformedDiscovery = Code("malformedDiscovery")
        /// The discovery document's `issuer` is not exactly the configured issuer.
        public static let discoveryIssuerMismatch = Code("discoveryIssuerMismatch")
        /// The provider says it cannot do something we always need (PKCE S256, the configured response mode or client authentication).
        public static let providerIncompatible = Code("providerIncompatible")

        // MARK: ID token
        /// The ID token is not a well-formed JWS, or its payload is not a JSON object with well-typed claims.
        public static let malformedIDToken = Code("malformedIDToken")
        /// The ID token's `typ` header says it is something else (an access token, `at+jwt`).
        public static let wrongTokenType = Code("wrongTokenType")
        /// The ID token's `alg` is not in the provider's effective allow-list.
        public static let algorithmNotAllowed = Code("algorithmNotAllowed")
        /// The ID token's `kid` names no key in the current key set: the caller may refetch the JWKS once.
        public static let unknownSigningKey = Code("unknownSigningKey")
        /// No key (or HMAC secret) may verify the ID token, or more than one could and nothing says which.
        public static let noUsableKey = Code("noUsableKey")
        /// The ID token's signature does not verify.
        public static let badSignature = Code("badSignature")
        /// `iss` is missing or not exactly the provider's issuer.
        public static let issuerMismatch = Code("issuerMismatch")
        /// `aud` is missing or does not contain our client id.
        public static let audienceMismatch = Code("audienceMismatch")
        /// `aud` contains an audience besides ours that is not configured as trusted.
        public static let untrustedAudience = Code("untrustedAudience")
        /// `azp` is present and not our client id, or absent while there are several audiences.
        public static let authorizedPartyMismatch = Code("authorizedPartyMismatch")
        /// `exp` is missing or not in the future (allowing for clock skew).
        public static let expired = Code("expired")
        /// `iat` is missing or in the future (allowing for clock skew).
        public static let issuedAtInvalid = Code("issuedAtInvalid")
        /// `nbf` is in the future (allowing for clock skew).
        public static let notYetValid = Code("notYetValid")
        /// `nonce` is missing or not the one we sent.
        public static let nonceMismatch = Code("nonceMismatch")
        /// `sub` is missing, not a string, empty or longer than 255 bytes.
        public static let invalidSubject = Code("invalidSubject")
        /// `max_age` was requested and `auth_time` is missing or too old.
        public static let authenticationTooOld = Code("authenticationTooOld")
        /// A multi-tenant provider's token names no tenant, a tenant not allowed, or an `iss` that
        /// is not the issuer template with the token's own tenant.
        public static let tenantNotAllowed = Code("tenantNotAllowed")
        /// The token's `hd` (Google's hosted domain) is missing or not among those configured.
        public static let hostedDomainNotAllowed = Code("hostedDomainNotAllowed")
        /// The subject the profile builds (Entra ID's `oid` with `tid`) cannot be built from the token.
        public static let subjectUnavailable = Code("subjectUnavailable")
        /// A provider without ID tokens (GitHub) did not say who signed in.
        public static let accountUnavailable = Code("accountUnavailable")
        /// `sid` is present and not a string of 1 to 255 bytes.
        public static let invalidSessionID = Code("invalidSessionID")

        // MARK: Logout token (OIDC Back-Channel Logout 1.0)
        /// The logout token is not a well-formed JWS, or its payload is not a JSON object.
        public static let malformedLogoutToken = Code("malformedLogoutToken")
        /// `events` is missing, not an object, or lacks the back-channel logout event (whose value must be an object).
        public static let missingLogoutEvent = Code("missingLogoutEvent")
        /// The logout token has neither `sub` nor `sid`: it names nobody to sign out.
        public static let missingSubjectAndSession = Code("missingSubjectAndSession")
        /// The logout token carries a `nonce`, which only an ID token may: it could be an ID token.
        public static let nonceInLogoutToken = Code("nonceInLogoutToken")
        /// `jti` is missing, not a string, empty or longer than 255 bytes.
        public static let invalidTokenID = Code("invalidTokenID")
        /// The logout token has no `exp` and its `iat` is older than the bound for such tokens.
        public static let logoutTokenTooOld = Code("logoutTokenTooOld")
        /// A logout token with this issuer and `jti` was already acted on (the caller's replay record says so).
        public static let replayedLogoutToken = Code("replayedLogoutToken")

        // MARK: Callback
        /// The callback's parameters are malformed: duplicated, both or neither of `code` and `error`, bad characters.
        public static let malformedCallback = Code("malformedCallback")
        /// The callback carries no `state`.
        public static let missingState = Code("missingState")
        /// The provider advertises RFC 9207 and the callback carries no `iss`.
        public static let missingIssuerParameter = Code("missingIssuerParameter")
        /// The callback's `iss` is not exactly the provider's issuer (a mix-up attack, RFC 9207).
        public static let issuerParameterMismatch = Code("issuerParameterMismatch")

        // MARK: Token endpoint and userinfo
        /// The token endpoint's success response is not what RFC 6749 section 5.1 and OIDC Core 3.1.3.3 require.
        public static let malformedTokenResponse = Code("malformedTokenResponse")
        /// The token endpoint returned a token type other than Bearer.
        public static let unsupportedTokenType = Code("unsupportedTokenType")
        /// The token endpoint's error response is not what RFC 6749 section 5.2 describes.
        public static let malformedTokenError = Code("malformedTokenError")
        /// The userinfo response is not a JSON object with a string `sub`.
        public static let malformedUserinfo = Code("malformedUserinfo")
        /// The userinfo `sub` differs from the ID token's: its claims belong to someone else.
        public static let userinfoSubjectMismatch = Code("userinfoSubjectMismatch")
        /// The provider could not be reached over the back channel (DNS, connect, TLS, timeout, size cap).
        public static let transportFailed = Code("transportFailed")
        /// The provider answered with a status the protocol does not allow here.
        public static let unexpectedResponse = Code("unexpectedResponse")
        /// The key set at `jwks_uri` is not a JWKS.
        public static let malformedJWKS = Code("malformedJWKS")
        /// The token endpoint answered with an RFC 6749 section 5.2 error (invalid_grant, ...).
        public static let tokenRequestRefused = Code("tokenRequestRefused")
        /// A response is larger than its cap.
        public static let responseTooLarge = Code("responseTooLarge")
        /// Something failed that says nothing about the input (OpenSSL trouble).
        public static let internalFailure = Code("internalFailure")
    }

    public let code: Code
    /// A sentence for people, free of token, secret, state and nonce values.
    public let message: String
    /// The JOSE failure underneath, when the ID token was refused by the JOSE layer.
    public let joseCode: JOSEError.Code?
    /// Where the error was made, for diagnosis.
    public let fileID: String
    public let line: Int

    public init(code: Code, message: String, joseCode: JOSEError.Code? = nil, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.joseCode = joseCode
        self.fileID = fileID
        self.line = line
    }

    /// Two errors are equal when they say the same thing; where they were made does not matter.
    public static func == (lhs: OIDCError, rhs: OIDCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.joseCode == rhs.joseCode
    }

    public var description: String { "OIDCError.\(code): \(message) (\(fileID):\(line))" }

    /// Makes an error of `code`, recording where it was made.
    static func make(_ code: Code, _ message: String, fileID: String = #fileID, line: Int = #line) -> OIDCError {
        OIDCError(code: code, message: message, fileID: fileID, line: line)
    }
}
