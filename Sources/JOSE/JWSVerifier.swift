import COpenSSL

/// Verifies compact JWS signatures against a key set, under an explicit algorithm allow-list.
///
/// The order of checks is fixed so that nothing a token says can widen what is accepted:
/// 1. `alg` must be an algorithm this library implements (`none`, in any spelling, is not one);
/// 2. it must be in `allowedAlgorithms`;
/// 3. HMAC algorithms need `hmacSecret`, and never touch the key set; every other algorithm needs
///    exactly one suitable key, chosen by `KeySelection` (never by `jwk`, `jku`, `x5u` or `x5c`);
/// 4. the signature must verify.
public struct JWSVerifier: Sendable {
    /// A list, not a set: it holds a handful of algorithms, and building a hashed set for every
    /// token costs more than scanning them.
    public let allowedAlgorithms: [JWSAlgorithm]

    public init(allowedAlgorithms: some Sequence<JWSAlgorithm>) {
        self.allowedAlgorithms = Array(allowedAlgorithms)
    }

    /// Verifies `jws`. `hmacSecret` is only for a provider that explicitly signs with its client
    /// secret; leave it nil otherwise, and HS256/384/512 tokens are refused.
    public func verify(_ jws: UnverifiedJWS, keys: JSONWebKeySet, hmacSecret: [UInt8]? = nil) throws(JOSEError) -> VerifiedJWS {
        guard let algorithm = JWSAlgorithm(rawValue: jws.header.algorithm) else {
            throw .unsupportedAlgorithm("JWS alg is not one this verifier implements")
        }
        guard allowedAlgorithms.contains(algorithm) else {
            throw .algorithmNotAllowed("JWS alg \(algorithm) is not in the allow-list")
        }

        if case .hmac(let digest) = algorithm.family {
            guard let hmacSecret else {
                throw .noSuitableKey("JWS alg \(algorithm) needs an HMAC secret and none is configured; public keys never serve as one")
            }
            try HMACVerification.verify(message: jws.signingInput, tag: jws.signature, secret: hmacSecret, digest: digest)
            return VerifiedJWS(header: jws.header, algorithm: algorithm, payload: jws.payload, key: nil)
        }

        let key = try KeySelection.select(for: algorithm, keyID: jws.header.keyID, in: keys)
        try Self.checkSignature(of: jws, algorithm: algorithm, key: key)
        return VerifiedJWS(header: jws.header, algorithm: algorithm, payload: jws.payload, key: key)
    }

    private static func checkSignature(of jws: UnverifiedJWS, algorithm: JWSAlgorithm, key: JSONWebKey) throws(JOSEError) {
        let valid: Bool
        switch algorithm.family {
        case .rsaPKCS1, .rsaPSS:
            // An RSA signature is exactly as long as the modulus; anything else (an empty,
            // stripped signature among them) is refused before OpenSSL sees it.
            guard jws.signature.count == (key.bits + 7) / 8 else {
                throw .badSignature("RSA signature length does not match the modulus")
            }
            valid = key.publicKey.verify(message: jws.signingInput, signature: jws.signature, algorithm: algorithm)
        case .ecdsa(_, let curve):
            let der = try ECDSASignature.derEncoded(jose: jws.signature, curve: curve)
            valid = key.publicKey.verify(message: jws.signingInput, signature: der, algorithm: algorithm)
        case .edDSA:
            guard jws.signature.count == 64 else { throw .badSignature("Ed25519 signature must be 64 bytes") }
            valid = key.publicKey.verifyEd25519(message: jws.signingInput, signature: jws.signature)
        case .hmac:
            throw .noSuitableKey("public keys never verify HMAC algorithms")
        }
        guard valid else { throw .badSignature("JWS signature does not verify with the selected key") }
    }
}

/// A JWS whose signature has been verified with a key the caller trusts: its payload bytes are
/// what the key holder signed. Only `JWSVerifier.verify` makes one. What the payload *means*
/// (issuer, audience, expiry) is for the caller's own rules to check. A class for the same
/// reason as `UnverifiedJWS`.
public final class VerifiedJWS: Sendable {
    public let header: JOSEHeader
    /// The algorithm the signature was verified with.
    public let algorithm: JWSAlgorithm
    /// The signed payload bytes.
    public let payload: [UInt8]
    /// The key that verified the signature; nil for HMAC, whose secret is not a JWK.
    public let key: JSONWebKey?

    init(header: JOSEHeader, algorithm: JWSAlgorithm, payload: [UInt8], key: JSONWebKey?) {
        self.header = header
        self.algorithm = algorithm
        self.payload = payload
        self.key = key
    }
}
