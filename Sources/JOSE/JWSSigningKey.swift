/// A private key generated in memory that signs compact JWS, with the public JWK to publish.
///
/// Gatehouse itself only verifies; this exists for the development provider and for tests, which
/// need tokens signed the way a real provider signs them. Keys are generated, never loaded: there
/// is deliberately no way to import or export the private half.
///
/// Supported: RS256 and PS256 (RSA 2048), ES256 (P-256), ES384 (P-384), EdDSA (Ed25519).
public final class JWSSigningKey: Sendable {
    public let algorithm: JWSAlgorithm
    /// The `kid` put in every header this key signs, and in its JWK.
    public let keyID: String
    /// The public members of the JWK (`kty` and `n`/`e` or `crv`/`x`/`y`), without `kid`, `use`, `alg`.
    private let publicMembers: [String: JSONValue]
    private let privateKey: OpenSSLPrivateKey

    /// The RSA modulus length for generated RSA keys: the minimum RFC 7518 allows and every
    /// verifier accepts, and the fastest to generate at start-up.
    public static let rsaBits: Int32 = 2048

    private init(algorithm: JWSAlgorithm, keyID: String, publicMembers: [String: JSONValue], privateKey: OpenSSLPrivateKey) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.publicMembers = publicMembers
        self.privateKey = privateKey
    }

    /// Generates a key for `algorithm`. Without `keyID`, the key's RFC 7638 thumbprint (base64url
    /// SHA-256) is its `kid`, so two generated keys never collide by accident.
    public static func generate(_ algorithm: JWSAlgorithm, keyID: String? = nil) throws(JOSEError) -> JWSSigningKey {
        let privateKey: OpenSSLPrivateKey
        let members: [String: JSONValue]
        switch algorithm {
        case .rs256, .ps256:
            privateKey = try .generateRSA(bits: rsaBits)
            let numbers = try privateKey.rsaPublicNumbers()
            members = ["kty": .string("RSA"), "n": .string(Base64URL.encode(numbers.modulus)), "e": .string(Base64URL.encode(numbers.exponent))]
        case .es256, .es384:
            guard case .ecdsa(_, let curve) = algorithm.family else { throw .internalFailure("\(algorithm) is not ECDSA") }
            privateKey = try .generateEC(curve: curve)
            let point = try privateKey.ecPublicCoordinates(curve: curve)
            members = [
                "kty": .string("EC"), "crv": .string(curve.rawValue),
                "x": .string(Base64URL.encode(point.x)), "y": .string(Base64URL.encode(point.y)),
            ]
        case .edDSA:
            privateKey = try .generateEd25519()
            members = ["kty": .string("OKP"), "crv": .string("Ed25519"), "x": .string(Base64URL.encode(try privateKey.ed25519PublicKey()))]
        default:
            throw .unsupportedAlgorithm("signing keys are generated for RS256, PS256, ES256, ES384 and EdDSA only, not \(algorithm)")
        }
        // Not `keyID ?? thumbprint`: `??` takes an untyped-throwing autoclosure.
        let kid: String
        if let keyID { kid = keyID } else { kid = try JWKThumbprint.sha256(of: .object(members)) }
        return JWSSigningKey(algorithm: algorithm, keyID: kid, publicMembers: members, privateKey: privateKey)
    }

    /// The public key as a JWK for a JWKS: `kty`, `kid`, `use` "sig", `alg`, and `n`/`e` or `crv`/`x`(/`y`).
    public var publicJWK: JSONValue {
        var members = publicMembers
        members["kid"] = .string(keyID)
        members["use"] = .string("sig")
        members["alg"] = .string(algorithm.rawValue)
        return .object(members)
    }

    /// Signs `payload` and returns the compact JWS `header.payload.signature`.
    ///
    /// The header is `alg`, `kid`, then `typ` (omitted when `type` is nil), then `extraHeader`
    /// in order. A name given twice, including one of the three, is refused (`malformed`): a
    /// header with repeated members is one our own verifier refuses to read.
    public func sign(payload: [UInt8], type: String? = "JWT", extraHeader: [(String, JSONValue)] = []) throws(JOSEError) -> String {
        var header: [(String, JSONValue)] = [("alg", .string(algorithm.rawValue)), ("kid", .string(keyID))]
        if let type { header.append(("typ", .string(type))) }
        header.append(contentsOf: extraHeader)
        let signingInput = Base64URL.encode(try JSONValue.serializedObject(header)) + "." + Base64URL.encode(payload)
        let signature = try privateKey.sign(message: Array(signingInput.utf8), algorithm: algorithm)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
