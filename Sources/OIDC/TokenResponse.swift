/// A successful token response (RFC 6749 section 5.1, OIDC Core 3.1.3.3).
///
/// Holds bearer credentials: never log `accessToken` or `idToken`.
public struct TokenResponse: Sendable, Equatable {
    /// Token responses larger than this are refused.
    public static let maximumBytes = 256 * 1024

    public let accessToken: String
    /// Always "Bearer" in some capitalisation (RFC 6750; OIDC Core 3.1.3.3 requires Bearer).
    public let tokenType: String
    /// The compact ID token, for `IDTokenValidator`; required in OpenID Connect, nil only from a
    /// plain OAuth 2.0 provider (GitHub) parsed with `requireIDToken: false`.
    public let idToken: String?
    public let expiresIn: Int64?
    public let refreshToken: String?
    public let scope: String?

    public static func parse(_ bytes: [UInt8], requireIDToken: Bool = true) throws(OIDCError) -> TokenResponse {
        let reader = try JSONObjectReader(bytes: bytes, maximumBytes: maximumBytes, code: .malformedTokenResponse, what: "token response")
        let accessToken = try reader.requiredString("access_token")
        guard !accessToken.isEmpty else { throw .make(.malformedTokenResponse, "token response access_token is empty") }
        let tokenType = try reader.requiredString("token_type")
        guard tokenType.lowercased() == "bearer" else {
            throw .make(.unsupportedTokenType, "token response token_type is not Bearer")
        }
        let idToken = try reader.optionalString("id_token")
        if requireIDToken, idToken?.isEmpty ?? true {
            throw .make(.malformedTokenResponse, "token response has no id_token: the provider did not answer as OpenID Connect")
        }
        return TokenResponse(
            accessToken: accessToken,
            tokenType: tokenType,
            idToken: idToken?.isEmpty == false ? idToken : nil,
            expiresIn: try reader.optionalNonNegativeInteger("expires_in"),
            refreshToken: try reader.optionalString("refresh_token"),
            scope: try reader.optionalString("scope")
        )
    }
}

/// An error response from the token endpoint (RFC 6749 section 5.2), for the page that tells
/// the person what went wrong and for the log. Both strings are provider-chosen text limited to
/// the characters RFC 6749 allows; escape them for HTML like any other text.
public struct TokenErrorResponse: Sendable, Equatable {
    public let error: String
    public let errorDescription: String?

    public static func parse(_ bytes: [UInt8]) throws(OIDCError) -> TokenErrorResponse {
        let reader = try JSONObjectReader(bytes: bytes, maximumBytes: TokenResponse.maximumBytes, code: .malformedTokenError, what: "token error response")
        let error = try reader.requiredString("error")
        guard !error.isEmpty, error.utf8.count <= 256, CallbackParameters.isErrorText(error) else {
            throw .make(.malformedTokenError, "token error response error is empty, too long or has characters RFC 6749 does not allow")
        }
        // A description we cannot show safely is dropped, not fatal: the error code still says what happened.
        let description = try reader.optionalString("error_description").flatMap { text in
            text.utf8.count <= 1024 && CallbackParameters.isErrorText(text) ? text : nil
        }
        return TokenErrorResponse(error: error, errorDescription: description)
    }

    /// The error codes a log line or an audit entry may name: RFC 6749's, those later RFCs
    /// define for the token endpoint, and GitHub's. Review finding: the refusal's whole text went
    /// to the log and the audit trail, and a provider's text may echo what it was sent (the
    /// code, the verifier, the client secret), so the description never goes there, and a code
    /// outside this list is named only by its length.
    static let recordableErrors: Set<String> = [
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
        "access_denied", "server_error", "temporarily_unavailable", "interaction_required", "login_required", "consent_required",
        "invalid_target", "invalid_dpop_proof", "use_dpop_nonce", "expired_token",
        "bad_verification_code", "incorrect_client_credentials", "redirect_uri_mismatch", "unverified_user_email",
    ]

    /// `error` when it is one of `recordableErrors`, else only how long it is.
    public var recordableError: String {
        Self.recordableErrors.contains(error) ? error : "an unlisted error code of \(error.utf8.count) bytes"
    }
}
