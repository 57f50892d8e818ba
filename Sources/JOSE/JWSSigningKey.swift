import Crypto

/// A private key that signs compact JWS, with the public JWK to publish.
///
/// Generated in memory for the development provider and tests (tokens signed the way a real
/// provider signs them), or read from an operator's PEM file for `private_key_jwt` client
/// assertions (`load(pem:)`, optionally `withCertificate`). There is deliberately no way to
/// export the private half.
///
/// Generated: RS256 and PS256 (RSA 2048), ES256 (P-256), ES384 (P-384), EdDSA (Ed25519).
public final class JWSSigningKey: Sendable {
    public let algorithm: JWSAlgorithm
    /// The `kid` put in every header this key signs, and in its JWK.
    public let keyID: String
    /// The public members of the JWK (`kty` and `n`/`e` or `crv`/`x`/`y`), without `kid`, `use`, `alg`.
    private let publicMembers: [String: JSONValue]
    private let privateKey: OpenSSLPrivateKey
    /// `x5t` and `x5t#S256` (RFC 7515 sections 4.1.7 and 4.1.8) of the key's certificate, when one
    /// was given: how Entra ID finds a client's certificate credential.
    private let certificateHeader: [(String, JSONValue)]

    /// The RSA modulus length for generated RSA keys: the minimum RFC 7518 allows and every
    /// verifier accepts, and the fastest to generate at start-up.
    public static let rsaBits: Int32 = 2048

    private init(
        algorithm: JWSAlgorithm, keyID: String, publicMembers: [String: JSONValue], privateKey: OpenSSLPrivateKey,
        certificateHeader: [(String, JSONValue)] = []
    ) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.publicMembers = publicMembers
        self.privateKey = privateKey
        self.certificateHeader = certificateHeader
    }

    /// This key with its certificate (PEM), whose thumbprints then go in every header it signs;
    /// refused when the certificate is not for this key.
    public func withCertificate(pem: [UInt8]) throws(JOSEError) -> JWSSigningKey {
        let der = try privateKey.certificateDER(pem)
        return JWSSigningKey(
            algorithm: algorithm, keyID: keyID, publicMembers: publicMembers, privateKey: privateKey,
            certificateHeader: [
                ("x5t", .string(Base64URL.encode(OpenSSLPrivateKey.sha1(der)))),
                ("x5t#S256", .string(Base64URL.encode(Crypto.Digest.sha256(der)))),
            ]
        )
    }

    /// The certificate thumbprint headers this key signs with (empty without a certificate).
    public var certificateThumbprints: [(String, JSONValue)] { certificateHeader }

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
        return try make(algorithm, keyID: keyID, publicMembers: members, privateKey: privateKey)
    }

    /// A key read from PEM text (an operator's `private_key_jwt` key). `algorithm` defaults by
    /// key type: RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519; one that does not
    /// fit the key is refused. `keyID` defaults to the RFC 7638 thumbprint, which is what a
    /// provider computes when it is given the public key as a JWK.
    public static func load(pem: [UInt8], algorithm wanted: JWSAlgorithm?, keyID: String?) throws(JOSEError) -> JWSSigningKey {
        let (privateKey, kind) = try OpenSSLPrivateKey.parsePEM(pem)
        let algorithm: JWSAlgorithm
        let members: [String: JSONValue]
        switch kind {
        case .rsa:
            algorithm = wanted ?? .rs256
            switch algorithm.family {
            case .rsaPKCS1, .rsaPSS: break
            default: throw .noSuitableKey("an RSA key cannot sign \(algorithm)")
            }
            let numbers = try privateKey.rsaPublicNumbers()
            members = ["kty": .string("RSA"), "n": .string(Base64URL.encode(numbers.modulus)), "e": .string(Base64URL.encode(numbers.exponent))]
        case .ec(let curve):
            let onCurve = JWSAlgorithm.all.filter { if case .ecdsa(_, curve) = $0.family { true } else { false } }
            guard let chosen = wanted ?? onCurve.first, onCurve.contains(chosen) else {
                throw .noSuitableKey("an EC key on \(curve.rawValue) cannot sign \(wanted?.rawValue ?? "with a JOSE algorithm")")
            }
            algorithm = chosen
            let point = try privateKey.ecPublicCoordinates(curve: curve)
            members = [
                "kty": .string("EC"), "crv": .string(curve.rawValue),
                "x": .string(Base64URL.encode(point.x)), "y": .string(Base64URL.encode(point.y)),
            ]
        case .ed25519:
            algorithm = wanted ?? .edDSA
            guard algorithm == .edDSA else { throw .noSuitableKey("an Ed25519 key signs EdDSA only, not \(algorithm)") }
            members = ["kty": .string("OKP"), "crv": .string("Ed25519"), "x": .string(Base64URL.encode(try privateKey.ed25519PublicKey()))]
        }
        return try make(algorithm, keyID: keyID, publicMembers: members, privateKey: privateKey)
    }

    private static func make(
        _ algorithm: JWSAlgorithm, keyID: String?, publicMembers members: [String: JSONValue], privateKey: OpenSSLPrivateKey
    ) throws(JOSEError) -> JWSSigningKey {
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
        header.append(contentsOf: certificateHeader)
        header.append(contentsOf: extraHeader)
        let headerText: [UInt8]
        do { headerText = try JSONValue.serializedObject(header) } catch { throw .malformedJSON(error) }
        let signingInput = Base64URL.encode(headerText) + "." + Base64URL.encode(payload)
        let signature = try privateKey.sign(message: Array(signingInput.utf8), algorithm: algorithm)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
