/// The token request of the authorization code flow (RFC 6749 section 4.1.3, OIDC Core
/// 3.1.3.1), as a form body and, for `client_secret_basic`, an Authorization header. The fetch
/// layer POSTs `body` with `contentType` and this header, following no redirects.
///
/// `body` and `authorizationHeader` hold the code, the PKCE verifier and the client secret:
/// never log them.
public struct TokenRequest: Sendable, Equatable {
    public static let contentType = "application/x-www-form-urlencoded"

    /// The form-urlencoded body.
    public let body: String
    /// `Basic ...` for `client_secret_basic`, nil for `client_secret_post`.
    public let authorizationHeader: String?

    public init(code: String, redirectURI: String, codeVerifier: String, clientID: String, credentials: ClientCredentials) {
        var fields: [(String, String)] = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI),
            ("code_verifier", codeVerifier),
            // client_id goes in the body with every method (OIDC Core and RFC 6749 4.1.3 allow
            // it; some providers need it).
            ("client_id", clientID),
        ]
        switch credentials {
        case .secretBasic(let secret):
            // RFC 6749 section 2.3.1: each of id and secret is form-urlencoded, then joined with
            // ':' and base64-encoded. Skipping the first step breaks secrets containing ':' or '%'.
            let pair = PercentEncoding.formComponent(clientID) + ":" + PercentEncoding.formComponent(secret)
            authorizationHeader = "Basic " + StandardBase64.encode(Array(pair.utf8))
        case .secretPost(let secret):
            fields.append(("client_secret", secret))
            authorizationHeader = nil
        case .assertion(let assertion):
            fields.append(("client_assertion_type", Self.jwtBearerAssertionType))
            fields.append(("client_assertion", assertion))
            authorizationHeader = nil
        }
        body = fields.map { "\(PercentEncoding.formComponent($0.0))=\(PercentEncoding.formComponent($0.1))" }.joined(separator: "&")
    }

    /// RFC 7523 section 2.2.
    public static let jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
}
