import Crypto
import JOSE

/// Proof Key for Code Exchange with the S256 method only (RFC 7636). `plain` is never
/// accepted: it protects nothing against an attacker who can read the authorization request.
enum PKCE {
    /// A challenge is BASE64URL(SHA-256(verifier)): always 43 characters, 32 bytes decoded.
    static func isWellFormedChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && ((try? Base64URL.decode(challenge))?.count == 32)
    }

    /// A verifier is 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"` (section 4.1).
    static func isWellFormedVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }

    /// Whether `verifier` is the one `challenge` was made from, compared in constant time.
    static func verifier(_ verifier: String, matches challenge: String) -> Bool {
        let computed = Base64URL.encode(Digest.sha256(Array(verifier.utf8)))
        return Digest.constantTimeEqual(Array(computed.utf8), Array(challenge.utf8))
    }
}
