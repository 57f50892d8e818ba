import Crypto

/// JWK thumbprints (RFC 7638): a key's identity computed from its public parts alone, so the
/// same key always gets the same `kid` and different keys (practically) never share one.
public enum JWKThumbprint {
    /// The members RFC 7638 section 3.2 (and RFC 8037 section 2 for OKP) hashes, per key type.
    static func requiredMembers(forKeyType keyType: String) -> [String]? {
        switch keyType {
        case "RSA": ["e", "kty", "n"]
        case "EC": ["crv", "kty", "x", "y"]
        case "OKP": ["crv", "kty", "x"]
        default: nil
        }
    }

    /// The base64url SHA-256 thumbprint of `jwk`, a JWK as a JSON object. Members other than the
    /// required ones (`kid`, `use`, `alg`, ...) do not count; a missing or non-string required
    /// member, or an unknown key type, is `malformed`/`invalidKey`.
    public static func sha256(of jwk: JSONValue) throws(JOSEError) -> String {
        guard case .object(let members) = jwk else { throw .malformed("JWK is not a JSON object") }
        guard case .string(let keyType)? = members["kty"] else { throw .malformed("JWK has no kty string") }
        guard let required = requiredMembers(forKeyType: keyType) else {
            throw .invalidKey("no thumbprint is defined here for key type \(keyType)")
        }
        var canonical: [String: JSONValue] = [:]
        for name in required {
            guard case .string? = members[name] else { throw .malformed("JWK has no \(name) string") }
            canonical[name] = members[name]
        }
        // Sorted names and no whitespace: exactly the form section 3.3 prescribes.
        let text: [UInt8]
        do { text = try JSONValue.object(canonical).serialized() } catch { throw .malformedJSON(error) }
        return Base64URL.encode(Crypto.Digest.sha256(text))
    }
}
