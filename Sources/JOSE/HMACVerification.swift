import COpenSSL

/// HMAC-SHA-2 for HS256/384/512, keyed only by a secret the caller configured (a provider's client
/// secret). Compared in constant time with `CRYPTO_memcmp`, so timing does not reveal how many
/// leading bytes of a forged tag were right.
enum HMACVerification {
    static func verify(message: [UInt8], tag: [UInt8], secret: [UInt8], digest: Digest) throws(JOSEError) {
        // RFC 7518 section 3.2: the key must be at least as long as the hash output.
        guard secret.count >= digest.byteCount else {
            throw .weakKey("HMAC secret is shorter than \(digest.byteCount) bytes")
        }
        guard tag.count == digest.byteCount else { throw .badSignature("HMAC tag has the wrong length") }
        guard let hash = FetchedDigests.shared.digest(digest) else { throw .internalFailure("OpenSSL lacks the digest") }
        var computed = [UInt8](repeating: 0, count: 64)
        var computedLength: UInt32 = 0
        let result = HMAC(
            hash, secret, Int32(clamping: secret.count),
            message, message.count, &computed, &computedLength
        )
        guard result != nil, Int(computedLength) == digest.byteCount else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL HMAC failed")
        }
        guard CRYPTO_memcmp(computed, tag, tag.count) == 0 else { throw .badSignature("HMAC tag does not match") }
    }
}
