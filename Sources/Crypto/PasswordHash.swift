/// The outcome of checking a password against a stored hash.
public enum PasswordVerification: Sendable, Equatable {
    case mismatch
    /// `needsRehash` is true when the stored parameters are weaker than the current ones: the
    /// caller should store a fresh `PasswordHash.make` while it holds the plain password.
    case match(needsRehash: Bool)
}

/// Local passwords: scrypt with a random 16-byte salt and a 32-byte output, stored as a
/// self-describing PHC string, `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` (unpadded base64).
///
/// Passwords are bytes. The `String` overloads hash the string's UTF-8 as it is; whoever takes
/// passwords from people normalises them the same way when setting and when checking.
public enum PasswordHash {
    /// Long enough for any passphrase, short enough that nobody can make us hash megabytes.
    public static let passwordLengthRange = 1...1024
    public static let saltLength = 16
    public static let hashLength = 32

    public static func make(
        password: [UInt8], parameters: PasswordHashParameters = .recommended
    ) throws(PasswordHashError) -> String {
        try checkLength(password)
        let salt: [UInt8]
        do { salt = try SecureRandom.bytes(saltLength) } catch {
            throw PasswordHashError(code: .randomFailure, message: "the random source failed while making a salt")
        }
        let hash = try Scrypt.derive(password: password, salt: salt, parameters: parameters, length: hashLength)
        return StoredPasswordHash(parameters: parameters, salt: salt, hash: hash).encoded
    }

    public static func make(
        password: String, parameters: PasswordHashParameters = .recommended
    ) throws(PasswordHashError) -> String {
        try make(password: Array(password.utf8), parameters: parameters)
    }

    /// Checks `password` against `stored`. A stored string that is malformed or beyond the
    /// parameter caps throws before any derivation; the comparison is constant-time.
    public static func verify(
        password: [UInt8], against stored: String, current: PasswordHashParameters = .recommended
    ) throws(PasswordHashError) -> PasswordVerification {
        try checkLength(password)
        let parsed = try StoredPasswordHash(parsing: stored)
        let derived = try Scrypt.derive(password: password, salt: parsed.salt, parameters: parsed.parameters, length: parsed.hash.count)
        guard Digest.constantTimeEqual(derived, parsed.hash) else { return .mismatch }
        let weaker = parsed.parameters.isWeaker(than: current) || parsed.salt.count < saltLength || parsed.hash.count < hashLength
        return .match(needsRehash: weaker)
    }

    public static func verify(
        password: String, against stored: String, current: PasswordHashParameters = .recommended
    ) throws(PasswordHashError) -> PasswordVerification {
        try verify(password: Array(password.utf8), against: stored, current: current)
    }

    /// Spends what `verify` spends on a hash made with `parameters`, and always fails: for an
    /// unknown user, a user without a password, or one who may not sign in, so the response
    /// time does not tell whether the account exists. The derivation really runs (its result
    /// is compared, so it cannot be optimised away).
    @discardableResult
    public static func dummyVerify(password: [UInt8], parameters: PasswordHashParameters = .recommended) -> PasswordVerification {
        let clamped = password.count > passwordLengthRange.upperBound ? Array(password.prefix(passwordLengthRange.upperBound)) : password
        let derived = (try? Scrypt.derive(password: clamped, salt: dummySalt, parameters: parameters, length: hashLength)) ?? []
        _ = Digest.constantTimeEqual(derived, dummyHash)
        return .mismatch
    }

    @discardableResult
    public static func dummyVerify(password: String, parameters: PasswordHashParameters = .recommended) -> PasswordVerification {
        dummyVerify(password: Array(password.utf8), parameters: parameters)
    }

    /// Fixed values: the dummy path needs the cost of a derivation, not secrecy.
    private static let dummySalt = [UInt8](repeating: 0x5A, count: saltLength)
    private static let dummyHash = [UInt8](repeating: 0xA5, count: hashLength)

    private static func checkLength(_ password: [UInt8]) throws(PasswordHashError) {
        guard passwordLengthRange.contains(password.count) else {
            throw PasswordHashError(
                code: .passwordLength,
                message: "a password must be \(passwordLengthRange.lowerBound) to \(passwordLengthRange.upperBound) bytes, got \(password.count)"
            )
        }
    }
}
