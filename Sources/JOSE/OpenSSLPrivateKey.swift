import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` holding a private key, and signs with it.
///
/// The OpenSSL-facing half of `JWSSigningKey`, beside `OpenSSLPublicKey` for verification. A key
/// is generated (the development provider, tests) or read from a PEM file the operator names
/// (`private_key_jwt` client authentication); either way it lives in memory only. Generation and signing go
/// through the OpenSSL 3 provider API (`EVP_PKEY_generate`, `EVP_DigestSign*`); the key is
/// immutable after generation, and every signature gets its own digest context, so one key may
/// sign on many threads at once.
final class OpenSSLPrivateKey: @unchecked Sendable {
    // @unchecked: `pkey` is never modified after init; OpenSSL allows concurrent use of a const key.
    private let pkey: OpaquePointer

    private init(owning pkey: OpaquePointer) {
        self.pkey = pkey
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    // MARK: Generating

    /// A new RSA key with a modulus of `bits` bits and the exponent 65537.
    static func generateRSA(bits: Int32) throws(JOSEError) -> OpenSSLPrivateKey {
        try generate(type: "RSA") { context in EVP_PKEY_CTX_set_rsa_keygen_bits(context, bits) == 1 }
    }

    /// A new EC key on `curve`.
    static func generateEC(curve: EllipticCurve) throws(JOSEError) -> OpenSSLPrivateKey {
        let groupName = curve.openSSLGroupName
        return try generate(type: "EC") { context in EVP_PKEY_CTX_set_group_name(context, groupName.cString) == 1 }
    }

    /// A new Ed25519 key.
    static func generateEd25519() throws(JOSEError) -> OpenSSLPrivateKey {
        try generate(type: "ED25519") { _ in true }
    }

    private static func generate(type: String, configure: (OpaquePointer) -> Bool) throws(JOSEError) -> OpenSSLPrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL has no \(type) key generation")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, configure(context), EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not generate a \(type) key")
        }
        return OpenSSLPrivateKey(owning: pkey)
    }

    /// The kind of key, as far as JOSE cares.
    enum Kind: Equatable {
        case rsa
        case ec(EllipticCurve)
        case ed25519
    }

    /// Reads a PEM private key (PKCS #8 `PRIVATE KEY`, or the traditional RSA and EC forms); an
    /// encrypted key is refused rather than prompting for a passphrase.
    static func parsePEM(_ pem: [UInt8]) throws(JOSEError) -> (key: OpenSSLPrivateKey, kind: Kind) {
        guard pem.count <= 64 * 1024, let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw .invalidKey("the private key file is too large or unreadable")
        }
        defer { BIO_free(bio) }
        // A passphrase callback that gives none: an encrypted key fails instead of reading the terminal.
        guard let pkey = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
            ERR_clear_error()
            throw .invalidKey("the file holds no unencrypted PEM private key")
        }
        let key = OpenSSLPrivateKey(owning: pkey)
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_RSA:
            guard EVP_PKEY_get_bits(pkey) >= 2048 else { throw .weakKey("an RSA private key must have at least 2048 bits") }
            return (key, .rsa)
        case EVP_PKEY_ED25519:
            return (key, .ed25519)
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pkey, &name, name.count, &length) == 1 else {
                ERR_clear_error()
                throw .invalidKey("the EC private key names no curve")
            }
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard let curve = EllipticCurve.allCases.first(where: { $0.openSSLGroupName.description == group }) else {
                throw .invalidKey("the EC private key is on a curve JOSE does not use")
            }
            return (key, .ec(curve))
        default:
            throw .invalidKey("the private key is neither RSA, EC nor Ed25519")
        }
    }

    /// The DER bytes of the PEM certificate `pem`, when its public key is this key's: the
    /// certificate an operator uploaded to a provider (Entra ID) for this key.
    func certificateDER(_ pem: [UInt8]) throws(JOSEError) -> [UInt8] {
        guard pem.count <= 64 * 1024, let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw .invalidKey("the certificate file is too large or unreadable")
        }
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            ERR_clear_error()
            throw .invalidKey("the file holds no PEM certificate")
        }
        defer { X509_free(certificate) }
        guard let certified = X509_get0_pubkey(certificate), EVP_PKEY_eq(certified, pkey) == 1 else {
            ERR_clear_error()
            throw .invalidKey("the certificate is not for this private key")
        }
        var der: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(certificate, &der)
        guard length > 0, let der else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not encode the certificate")
        }
        defer { CRYPTO_free(der, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: der, count: Int(length)))
    }

    /// SHA-1, for `x5t` only (RFC 7515 section 4.1.7 defines it so; nothing here trusts SHA-1
    /// for integrity).
    static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &output, &length, EVP_sha1(), nil) }
        precondition(status == 1, "EVP_Digest(SHA-1) failed: OpenSSL is unusable")
        return Array(output.prefix(Int(length)))
    }

    // MARK: Public parts, for the JWK

    /// The RSA modulus and public exponent, big-endian with no leading zero bytes (RFC 7518 section 6.3.1).
    func rsaPublicNumbers() throws(JOSEError) -> (modulus: [UInt8], exponent: [UInt8]) {
        (try bigNumberParameter(ParameterName.rsaModulus, width: nil), try bigNumberParameter(ParameterName.rsaExponent, width: nil))
    }

    /// The EC public point's affine coordinates, each exactly the curve's length (RFC 7518 section 6.2.1.2).
    func ecPublicCoordinates(curve: EllipticCurve) throws(JOSEError) -> (x: [UInt8], y: [UInt8]) {
        let width = curve.coordinateByteCount
        return (try bigNumberParameter(ParameterName.ecPublicX, width: width), try bigNumberParameter(ParameterName.ecPublicY, width: width))
    }

    /// The raw 32-byte Ed25519 public key (RFC 8037 section 2).
    func ed25519PublicKey() throws(JOSEError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        guard EVP_PKEY_get_raw_public_key(pkey, &bytes, &length) == 1, length == 32 else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not export the Ed25519 public key")
        }
        return bytes
    }

    /// A BIGNUM parameter of the key, big-endian: minimal when `width` is nil, else left-padded to `width`.
    private func bigNumberParameter(_ name: StaticString, width: Int?) throws(JOSEError) -> [UInt8] {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name.cString, &number) == 1, let number else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not export key parameter \(name)")
        }
        defer { BN_free(number) }
        let minimal = Int((BN_num_bits(number) + 7) / 8)
        let count = width ?? minimal
        guard count >= minimal, count > 0 else { throw .internalFailure("key parameter \(name) is longer than expected") }
        var bytes = [UInt8](repeating: 0, count: count)
        guard BN_bn2binpad(number, &bytes, Int32(count)) == Int32(count) else {
            throw .internalFailure("BN_bn2binpad failed")
        }
        return bytes
    }

    // MARK: Signing

    /// Signs `message` as `algorithm` requires and returns the signature in JOSE form: RSA as
    /// OpenSSL makes it, ECDSA converted from DER to fixed-width r||s, Ed25519 as its 64 raw bytes.
    func sign(message: [UInt8], algorithm: JWSAlgorithm) throws(JOSEError) -> [UInt8] {
        guard let digestContext = EVP_MD_CTX_new() else { throw .internalFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(digestContext) }
        var keyContext: OpaquePointer?
        let ready: Bool
        switch algorithm.family {
        case .rsaPKCS1(let kind):
            ready = EVP_DigestSignInit_ex(digestContext, &keyContext, kind.openSSLName.cString, nil, nil, pkey, nil) == 1
                && EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1
        case .rsaPSS(let kind):
            // RFC 7518 section 3.5: MGF1 with the same hash, salt exactly as long as the hash.
            ready = EVP_DigestSignInit_ex(digestContext, &keyContext, kind.openSSLName.cString, nil, nil, pkey, nil) == 1
                && EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, Int32(kind.byteCount)) == 1
        case .ecdsa(let kind, _):
            ready = EVP_DigestSignInit_ex(digestContext, &keyContext, kind.openSSLName.cString, nil, nil, pkey, nil) == 1
        case .edDSA:
            // Pure Ed25519 (RFC 8032): no digest name, the whole message goes in at once.
            ready = EVP_DigestSignInit_ex(digestContext, nil, nil, nil, nil, pkey, nil) == 1
        case .hmac:
            throw .noSuitableKey("a private key never signs with an HMAC algorithm")
        }
        guard ready else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not set up signing with \(algorithm)")
        }
        var length = 0
        guard EVP_DigestSign(digestContext, nil, &length, message, message.count) == 1, length > 0 else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not size the \(algorithm) signature")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(digestContext, &signature, &length, message, message.count) == 1 else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL could not sign with \(algorithm)")
        }
        signature.removeSubrange(length...)
        if case .ecdsa(_, let curve) = algorithm.family {
            return try ECDSASignature.joseEncoded(der: signature, curve: curve)
        }
        return signature
    }
}

extension Digest {
    /// OpenSSL's name for the digest, as `EVP_DigestSignInit_ex` takes it.
    var openSSLName: StaticString {
        switch self {
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }
}
