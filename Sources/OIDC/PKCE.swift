import Crypto
import JOSE

/// Proof Key for Code Exchange (RFC 7636), always with S256: the `plain` method would put the
/// verifier itself in the browser's URL, which is what PKCE exists to avoid.
public struct PKCE: Sendable, Equatable {
    /// The only method Gatehouse sends.
    public static let method = "S256"

    /// The secret kept server-side and sent with the token request: 43 base64url characters.
    public let verifier: String
    /// `BASE64URL(SHA-256(ASCII(verifier)))`, sent with the authorization request.
    public let challenge: String

    /// A fresh verifier from 32 random bytes.
    public static func generate() throws(OIDCError) -> PKCE {
        try PKCE(verifier: RandomToken.make())
    }

    /// The pair for a stored verifier, which must be 43 to 128 characters of RFC 7636 section
    /// 4.1's alphabet.
    public init(verifier: String) throws(OIDCError) {
        guard (43...128).contains(verifier.utf8.count), verifier.utf8.allSatisfy(PercentEncoding.isUnreserved) else {
            throw .make(.invalidConfiguration, "PKCE verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
        }
        self.verifier = verifier
        self.challenge = Self.challenge(for: verifier)
    }

    /// The S256 challenge for `verifier` (RFC 7636 section 4.2).
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Digest.sha256(Array(verifier.utf8)))
    }
}
