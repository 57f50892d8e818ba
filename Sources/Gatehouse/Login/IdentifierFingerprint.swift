import Crypto

/// A typed identifier that names no account, as the audit log keeps it: the first 8 bytes of
/// its HMAC-SHA-256 under a key made at start and never stored, in hex. The same text gives the
/// same fingerprint for the life of the process, so a run of attempts with one text shows as
/// one; the text itself (perhaps a password typed into the wrong field) cannot be read back,
/// nor guessed offline against the log, without the key.
enum IdentifierFingerprint {
    private static let key: [UInt8]? = try? SecureRandom.bytes(32)

    static func of(_ typed: String) -> String {
        // Without a key there is nothing safe to show: no fingerprint rather than a guessable one.
        guard let key else { return "unavailable" }
        return Digest.hex(Array(Digest.hmacSHA256(key: key, message: Array(typed.utf8)).prefix(8)))
    }
}
