import Crypto

/// A public key from a JWK (RFC 7517), parsed once and held ready for OpenSSL.
///
/// Only signature-verification keys are built: RSA (modulus of at least 2048 bits), EC on P-256,
/// P-384 or P-521 (point checked on the curve), and OKP Ed25519. Symmetric (`oct`) keys are refused:
/// an HMAC secret comes only from the caller's configuration, never from a key set. A JWK that
/// carries private members (`d`, ...) is refused too: a published private key is compromised.
///
/// A key that parses may still be unusable for a given token; `unusableReason(for:)` applies
/// `use`, `key_ops` and `alg`.
public struct JSONWebKey: Sendable {
    /// The kind of key, with the curve for EC keys.
    public enum KeyType: Sendable, Equatable, CustomStringConvertible {
        case rsa
        case ec(EllipticCurve)
        case ed25519

        public var description: String {
            switch self {
            case .rsa: "RSA"
            case .ec(let curve): "EC \(curve.rawValue)"
            case .ed25519: "OKP Ed25519"
            }
        }
    }

    /// RSA moduli shorter than this are refused (RFC 7518 section 3.3 requires 2048 bits).
    public static let minimumRSABits = 2048
    /// RSA moduli longer than this are refused: verification cost grows with the modulus, and no
    /// provider needs more.
    public static let maximumRSABits = 16384

    public let keyType: KeyType
    /// `kid`, when present.
    public let keyID: String?
    /// `use`, when present; only `sig` (or absent) lets the key verify signatures.
    public let use: String?
    /// `alg` exactly as written, when present; the key then verifies only that algorithm.
    public let algorithm: String?
    /// `key_ops`, when present; it must then contain `verify`.
    public let keyOperations: [String]?
    /// The key size in bits as OpenSSL reports it.
    public var bits: Int { publicKey.bits }

    let publicKey: OpenSSLPublicKey

    /// Parses one JWK from its JSON text.
    public init(json: [UInt8]) throws(JOSEError) {
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch { throw .malformedJSON(error) }
        guard case .object(let members) = value else { throw .malformed("JWK is not a JSON object") }
        try self.init(members: members)
    }

    /// Parses one JWK from its already-parsed members.
    public init(members: [String: JSONValue]) throws(JOSEError) {
        guard let kty = members["kty"] else { throw .malformed("JWK has no kty") }
        guard case .string(let keyTypeName) = kty else { throw .malformed("JWK kty is not a string") }
        keyID = try Self.optionalString("kid", in: members)
        use = try Self.optionalString("use", in: members)
        algorithm = try Self.optionalString("alg", in: members)
        if let ops = members["key_ops"] {
            guard case .array(let values) = ops else { throw .malformed("JWK key_ops is not an array") }
            var names: [String] = []
            for value in values {
                guard case .string(let name) = value else { throw .malformed("JWK key_ops holds a non-string") }
                names.append(name)
            }
            keyOperations = names
        } else {
            keyOperations = nil
        }
        for privateMember in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] where members[privateMember] != nil {
            throw .invalidKey("JWK carries private key member \(privateMember)")
        }

        switch keyTypeName {
        case "RSA":
            let modulus = try Self.requiredBytes("n", in: members)
            let exponent = try Self.requiredBytes("e", in: members)
            let significantModulus = modulus.drop(while: { $0 == 0 })
            guard significantModulus.count * 8 <= Self.maximumRSABits else {
                throw .invalidKey("RSA modulus is longer than \(Self.maximumRSABits) bits")
            }
            guard significantModulus.count * 8 >= Self.minimumRSABits else {
                throw .weakKey("RSA modulus is shorter than \(Self.minimumRSABits) bits")
            }
            guard !exponent.isEmpty, exponent.count <= 8 else { throw .invalidKey("RSA exponent has an implausible length") }
            let key = try OpenSSLPublicKey.rsa(modulus: Array(significantModulus), exponent: exponent)
            guard key.bits >= Self.minimumRSABits else {
                throw .weakKey("RSA modulus is \(key.bits) bits, under \(Self.minimumRSABits)")
            }
            keyType = .rsa
            publicKey = key
        case "EC":
            guard case .string(let curveName)? = members["crv"] else { throw .malformed("EC JWK has no crv string") }
            guard let curve = EllipticCurve(rawValue: curveName) else { throw .invalidKey("EC curve \(curveName) is not supported") }
            let x = try Self.requiredBytes("x", in: members)
            let y = try Self.requiredBytes("y", in: members)
            guard x.count == curve.coordinateByteCount, y.count == curve.coordinateByteCount else {
                throw .invalidKey("\(curve.rawValue) coordinates must be \(curve.coordinateByteCount) bytes each")
            }
            keyType = .ec(curve)
            publicKey = try OpenSSLPublicKey.ec(curve: curve, x: x, y: y)
        case "OKP":
            guard case .string(let curveName)? = members["crv"] else { throw .malformed("OKP JWK has no crv string") }
            guard curveName == "Ed25519" else { throw .invalidKey("OKP curve \(curveName) is not supported") }
            let x = try Self.requiredBytes("x", in: members)
            guard x.count == 32 else { throw .invalidKey("Ed25519 public key must be 32 bytes") }
            keyType = .ed25519
            publicKey = try OpenSSLPublicKey.ed25519(x)
        case "oct":
            throw .invalidKey("symmetric (oct) keys are never taken from a key set")
        default:
            throw .invalidKey("key type \(keyTypeName) is not supported")
        }
    }

    /// Why this key must not verify a token signed with `algorithm`, or nil when it may.
    public func unusableReason(for algorithm: JWSAlgorithm) -> String? {
        if let use, use != "sig" { return "key use is \(use), not sig" }
        if let keyOperations, !keyOperations.contains("verify") { return "key_ops does not include verify" }
        if let own = self.algorithm, own != algorithm.rawValue { return "key alg \(own) differs from token alg \(algorithm)" }
        switch (algorithm.family, keyType) {
        case (.rsaPKCS1, .rsa), (.rsaPSS, .rsa), (.edDSA, .ed25519):
            return nil
        case (.ecdsa(_, let wanted), .ec(let curve)):
            return wanted == curve ? nil : "key curve \(curve.rawValue) does not match \(algorithm)"
        case (.hmac, _):
            return "public keys never verify HMAC algorithms"
        default:
            return "key type \(keyType) does not match \(algorithm)"
        }
    }

    private static func optionalString(_ name: String, in members: [String: JSONValue]) throws(JOSEError) -> String? {
        guard let value = members[name] else { return nil }
        guard case .string(let text) = value else { throw .malformed("JWK \(name) is not a string") }
        return text
    }

    private static func requiredBytes(_ name: String, in members: [String: JSONValue]) throws(JOSEError) -> [UInt8] {
        guard let value = members[name] else { throw .malformed("JWK has no \(name)") }
        guard case .string(let text) = value else { throw .malformed("JWK \(name) is not a string") }
        let bytes: [UInt8]
        do { bytes = try Base64URL.decode(text) } catch { throw .base64URL(error) }
        guard !bytes.isEmpty else { throw .malformed("JWK \(name) is empty") }
        return bytes
    }
}
