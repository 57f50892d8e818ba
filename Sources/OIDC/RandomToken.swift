import Crypto
import JOSE

/// Unguessable values for `state`, `nonce` and the PKCE verifier: 32 bytes (256 bits) from
/// OpenSSL's CSPRNG, base64url-encoded to 43 characters.
enum RandomToken {
    static let byteCount = 32

    static func make() throws(OIDCError) -> String {
        do {
            return Base64URL.encode(try SecureRandom.bytes(byteCount))
        } catch {
            throw .make(.randomSourceFailed, "the random source failed")
        }
    }
}
