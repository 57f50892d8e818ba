import COpenSSL
import Foundation

/// Owns one OpenSSL `EVP_PKEY` holding a public key, and verifies signatures with it.
///
/// This is the only file that handles RSA, EC and Ed25519 keys through OpenSSL; `JSONWebKey` is
/// the Swift-facing side. Keys are built with `EVP_PKEY_fromdata` (OpenSSL 3 provider API, no
/// deprecated `RSA_*`/`EC_KEY_*`) and checked with `EVP_PKEY_public_check` once, when the JWKS is
/// parsed. Verification contexts are kept in a small pool per algorithm: creating an
/// `EVP_PKEY_CTX` costs about as much as hashing a token, and `openssl speed` (our yardstick) does
/// not pay it per signature either. A pooled context is used by one thread at a time.
final class OpenSSLPublicKey: @unchecked Sendable {
    // @unchecked: `pkey` is immutable after init (OpenSSL allows concurrent use of a const key);
    // `idleContexts` is only touched under `lock`.
    private let pkey: OpaquePointer
    private let lock = NSLock()
    /// Idle contexts per algorithm. A key verifies one algorithm, two at most, so a short list
    /// scanned by name is cheaper than hashing the name for a dictionary on every token.
    /// `@exclusivity(unchecked)`: every access is under `lock`, which is what keeps two accesses
    /// apart; the runtime's own check on each access (a class property's) would add four
    /// `swift_beginAccess` calls to every verification for nothing.
    @exclusivity(unchecked) private var idleContexts: [(algorithm: JWSAlgorithm, contexts: [VerificationContext])] = []
    /// More idle contexts than this per algorithm are freed instead of kept.
    private static let maximumIdleContexts = 16

    private init(owning pkey: OpaquePointer) {
        self.pkey = pkey
    }

    deinit {
        for pool in idleContexts {
            for context in pool.contexts { context.free() }
        }
        EVP_PKEY_free(pkey)
    }

    /// The key size in bits, as OpenSSL counts it (the modulus length for RSA).
    var bits: Int { Int(EVP_PKEY_get_bits(pkey)) }

    // MARK: Building keys

    /// An RSA public key from its big-endian modulus and exponent.
    static func rsa(modulus: [UInt8], exponent: [UInt8]) throws(JOSEError) -> OpenSSLPublicKey {
        guard let n = BN_bin2bn(modulus, Int32(clamping: modulus.count), nil) else {
            throw .internalFailure("BN_bin2bn failed")
        }
        defer { BN_free(n) }
        guard let e = BN_bin2bn(exponent, Int32(clamping: exponent.count), nil) else {
            throw .internalFailure("BN_bin2bn failed")
        }
        defer { BN_free(e) }
        let pkey = try fromData(type: "RSA") { builder in
            OSSL_PARAM_BLD_push_BN(builder, ParameterName.rsaModulus.cString, n) == 1
                && OSSL_PARAM_BLD_push_BN(builder, ParameterName.rsaExponent.cString, e) == 1
        }
        return try checked(OpenSSLPublicKey(owning: pkey))
    }

    /// An EC public key on a named curve from its affine coordinates, each exactly the curve's length.
    static func ec(curve: EllipticCurve, x: [UInt8], y: [UInt8]) throws(JOSEError) -> OpenSSLPublicKey {
        // The uncompressed point encoding: 0x04 || x || y (SEC 1 section 2.3.3).
        var point: [UInt8] = [0x04]
        point.reserveCapacity(1 + x.count + y.count)
        point.append(contentsOf: x)
        point.append(contentsOf: y)
        let groupName = curve.openSSLGroupName
        // The builder keeps the point's address until OSSL_PARAM_BLD_to_param copies it inside
        // fromData, so the buffer must stay pinned around the whole call.
        let pkey = try point.withUnsafeBufferPointer { (pointBytes) throws(JOSEError) -> OpaquePointer in
            try fromData(type: "EC") { builder in
                OSSL_PARAM_BLD_push_utf8_string(builder, ParameterName.groupName.cString, groupName.cString, 0) == 1
                    && OSSL_PARAM_BLD_push_octet_string(builder, ParameterName.publicKey.cString, pointBytes.baseAddress, pointBytes.count) == 1
            }
        }
        return try checked(OpenSSLPublicKey(owning: pkey))
    }

    /// An Ed25519 public key from its 32 raw bytes.
    static func ed25519(_ x: [UInt8]) throws(JOSEError) -> OpenSSLPublicKey {
        guard let pkey = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, x, x.count) else {
            ERR_clear_error()
            throw .invalidKey("OpenSSL refused the Ed25519 public key")
        }
        return try checked(OpenSSLPublicKey(owning: pkey))
    }

    /// Builds an `EVP_PKEY` of `type` from the parameters `push` adds to a builder.
    private static func fromData(type: String, push: (OpaquePointer) -> Bool) throws(JOSEError) -> OpaquePointer {
        guard let builder = OSSL_PARAM_BLD_new() else { throw .internalFailure("OSSL_PARAM_BLD_new failed") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let params = OSSL_PARAM_BLD_to_param(builder) else {
            ERR_clear_error()
            throw .internalFailure("could not build OpenSSL key parameters")
        }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL has no \(type) key management")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &pkey, gatehouse_evp_pkey_public_key_selection(), params) == 1,
              let pkey
        else {
            ERR_clear_error()
            throw .invalidKey("OpenSSL refused the \(type) public key")
        }
        return pkey
    }

    /// Runs OpenSSL's public key check (for EC: the point is on the curve and not at infinity).
    private static func checked(_ key: OpenSSLPublicKey) throws(JOSEError) -> OpenSSLPublicKey {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.pkey, nil) else {
            ERR_clear_error()
            throw .internalFailure("EVP_PKEY_CTX_new_from_pkey failed")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_public_check(context) == 1 else {
            ERR_clear_error()
            throw .invalidKey("OpenSSL's public key check refused the key")
        }
        return key
    }

    // MARK: Verifying

    /// Verifies `signature` over `message` for an RSA or ECDSA algorithm. For ECDSA, `signature`
    /// must already be DER (see `ECDSASignature`). Any failure is a plain `false`: the caller
    /// reports `badSignature` without echoing OpenSSL's reason, which could tell an attacker
    /// more than that.
    func verify(message: [UInt8], signature: [UInt8], algorithm: JWSAlgorithm) -> Bool {
        guard let context = checkOut(algorithm) else { return false }
        let valid = context.verify(message: message, signature: signature)
        checkIn(context, for: algorithm)
        if !valid { ERR_clear_error() }
        return valid
    }

    /// Verifies a pure Ed25519 signature over `message` (RFC 8032; no pre-hash).
    func verifyEd25519(message: [UInt8], signature: [UInt8]) -> Bool {
        guard let digestContext = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(digestContext) }
        let valid = EVP_DigestVerifyInit_ex(digestContext, nil, nil, nil, nil, pkey, nil) == 1
            && EVP_DigestVerify(digestContext, signature, signature.count, message, message.count) == 1
        if !valid { ERR_clear_error() }
        return valid
    }

    private func checkOut(_ algorithm: JWSAlgorithm) -> VerificationContext? {
        lock.lock()
        var pooled: VerificationContext?
        if let index = idleContexts.firstIndex(where: { $0.algorithm == algorithm }) {
            pooled = idleContexts[index].contexts.popLast()
        }
        lock.unlock()
        if let pooled { return pooled }
        let made = VerificationContext(pkey: pkey, algorithm: algorithm)
        if made == nil { ERR_clear_error() }
        return made
    }

    private func checkIn(_ context: VerificationContext, for algorithm: JWSAlgorithm) {
        lock.lock()
        let index: Int
        if let existing = idleContexts.firstIndex(where: { $0.algorithm == algorithm }) {
            index = existing
        } else {
            idleContexts.append((algorithm, []))
            index = idleContexts.count - 1
        }
        let keep = idleContexts[index].contexts.count < Self.maximumIdleContexts
        // Appended in place: a copy taken out and stored back would be copied on write.
        if keep { idleContexts[index].contexts.append(context) }
        lock.unlock()
        if !keep { context.free() }
    }
}

/// A digest context and an `EVP_PKEY_CTX` set up for verifying one algorithm with one key.
/// Not thread-safe; the pool in `OpenSSLPublicKey` hands each to one caller at a time.
private struct VerificationContext {
    let keyContext: OpaquePointer
    let digestContext: OpaquePointer
    let digest: OpaquePointer
    let digestLength: Int

    init?(pkey: OpaquePointer, algorithm: JWSAlgorithm) {
        let digestKind: Digest
        switch algorithm.family {
        case .rsaPKCS1(let kind), .rsaPSS(let kind), .ecdsa(let kind, _): digestKind = kind
        case .edDSA, .hmac: return nil
        }
        guard let digest = FetchedDigests.shared.digest(digestKind) else { return nil }
        guard let keyContext = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { return nil }
        guard let digestContext = EVP_MD_CTX_new() else {
            EVP_PKEY_CTX_free(keyContext)
            return nil
        }
        var ready = EVP_PKEY_verify_init(keyContext) == 1
            && EVP_PKEY_CTX_set_signature_md(keyContext, digest) == 1
        switch algorithm.family {
        case .rsaPKCS1:
            ready = ready && EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1
        case .rsaPSS(let kind):
            // RFC 7518 section 3.5: MGF1 with the same hash, salt exactly as long as the hash.
            ready = ready && EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, Int32(kind.byteCount)) == 1
        default:
            break
        }
        guard ready else {
            EVP_PKEY_CTX_free(keyContext)
            EVP_MD_CTX_free(digestContext)
            return nil
        }
        self.keyContext = keyContext
        self.digestContext = digestContext
        self.digest = digest
        self.digestLength = digestKind.byteCount
    }

    func verify(message: [UInt8], signature: [UInt8]) -> Bool {
        // The digest lives on the stack: this runs once per token, and a heap array per call shows.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { hash in
            var hashLength: UInt32 = 0
            guard EVP_DigestInit_ex2(digestContext, digest, nil) == 1,
                  EVP_DigestUpdate(digestContext, message, message.count) == 1,
                  EVP_DigestFinal_ex(digestContext, hash.baseAddress, &hashLength) == 1,
                  Int(hashLength) == digestLength
            else { return false }
            return EVP_PKEY_verify(keyContext, signature, signature.count, hash.baseAddress, digestLength) == 1
        }
    }

    func free() {
        EVP_PKEY_CTX_free(keyContext)
        EVP_MD_CTX_free(digestContext)
    }
}

/// Names of OSSL_PARAM entries. `OSSL_PARAM_BLD_push_*` keeps the name pointer (and for strings
/// the value pointer) until `OSSL_PARAM_BLD_to_param`, so they must outlive the call: a Swift
/// `String` bridged to `char *` is a temporary, a `StaticString` literal lives in the binary.
/// The values match `OSSL_PKEY_PARAM_RSA_N`, `_RSA_E`, `_GROUP_NAME`, `_PUB_KEY`, `_EC_PUB_X` and
/// `_EC_PUB_Y` in core_names.h.
enum ParameterName {
    static let rsaModulus: StaticString = "n"
    static let rsaExponent: StaticString = "e"
    static let groupName: StaticString = "group"
    static let publicKey: StaticString = "pub"
    static let ecPublicX: StaticString = "qx"
    static let ecPublicY: StaticString = "qy"
}

extension StaticString {
    /// The literal as a NUL-terminated C string; valid for the life of the process.
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

/// The SHA-2 implementations, fetched from the default provider once for the whole process.
/// Fetching by name on every use (as `EVP_sha256()` in a digest init does in OpenSSL 3) costs a
/// lock and a lookup per call. Never freed: they live as long as the process.
final class FetchedDigests: @unchecked Sendable {
    // @unchecked: the pointers are set once in init and OpenSSL's EVP_MD objects are immutable.
    static let shared = FetchedDigests()

    private let sha256: OpaquePointer?
    private let sha384: OpaquePointer?
    private let sha512: OpaquePointer?

    private init() {
        sha256 = EVP_MD_fetch(nil, "SHA256", nil)
        sha384 = EVP_MD_fetch(nil, "SHA384", nil)
        sha512 = EVP_MD_fetch(nil, "SHA512", nil)
        if sha256 == nil || sha384 == nil || sha512 == nil { ERR_clear_error() }
    }

    /// The digest, or nil when the provider lacks it (then every verification with it fails closed).
    func digest(_ kind: Digest) -> OpaquePointer? {
        switch kind {
        case .sha256: sha256
        case .sha384: sha384
        case .sha512: sha512
        }
    }
}

extension EllipticCurve {
    /// OpenSSL's name for the curve's group.
    var openSSLGroupName: StaticString {
        switch self {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        case .p521: "secp521r1"
        }
    }

    private var nid: Int32 {
        switch self {
        case .p256: NID_X9_62_prime256v1
        case .p384: NID_secp384r1
        case .p521: NID_secp521r1
        }
    }

    /// The order n of the curve's base point, big-endian, `coordinateByteCount` bytes long,
    /// read from OpenSSL once per process (nil only if OpenSSL lacks the curve).
    /// (A `switch` over one constant per curve: a dictionary keyed by the curve would hash it
    /// on every ES256 token.)
    var order: [UInt8]? {
        switch self {
        case .p256: Self.p256Order
        case .p384: Self.p384Order
        case .p521: Self.p521Order
        }
    }

    private static let p256Order = EllipticCurve.p256.readOrder()
    private static let p384Order = EllipticCurve.p384.readOrder()
    private static let p521Order = EllipticCurve.p521.readOrder()

    private func readOrder() -> [UInt8]? {
        guard let group = EC_GROUP_new_by_curve_name(nid) else {
            ERR_clear_error()
            return nil
        }
        defer { EC_GROUP_free(group) }
        guard let order = EC_GROUP_get0_order(group) else { return nil }
        var bytes = [UInt8](repeating: 0, count: coordinateByteCount)
        guard BN_bn2binpad(order, &bytes, Int32(coordinateByteCount)) == Int32(coordinateByteCount) else { return nil }
        return bytes
    }
}
