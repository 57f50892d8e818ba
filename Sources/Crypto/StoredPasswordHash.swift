/// A parsed `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` string (the PHC string format).
///
/// Parsing checks everything before any derivation: the scheme, the exact field layout, the
/// parameters against their caps, and the salt and hash lengths. A string this type accepts
/// can be verified at a bounded cost.
public struct StoredPasswordHash: Sendable, Equatable {
    public static let scheme = "scrypt"
    public static let prefix = "$scrypt$"
    public static let saltLengthRange = 16...64
    public static let hashLengthRange = 16...64
    /// A well-formed string is under 300 characters; anything longer is refused unread.
    static let maximumEncodedLength = 512

    public let parameters: PasswordHashParameters
    public let salt: [UInt8]
    public let hash: [UInt8]

    init(parameters: PasswordHashParameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    public init(parsing text: String) throws(PasswordHashError) {
        guard text.hasPrefix(Self.prefix) else {
            throw PasswordHashError(code: .unknownScheme, message: "the stored hash is not a $scrypt$ string")
        }
        guard text.utf8.count <= Self.maximumEncodedLength else {
            throw PasswordHashError(code: .malformedHash, message: "the stored hash is longer than \(Self.maximumEncodedLength) bytes")
        }
        // "$scrypt$ln=..$salt$hash" splits into "", "scrypt", params, salt, hash.
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5 else {
            throw PasswordHashError(code: .malformedHash, message: "the stored hash has \(fields.count) '$' fields, expected 5")
        }
        parameters = try Self.parseParameters(fields[2])
        guard let salt = PHCBase64.decode(fields[3]), Self.saltLengthRange.contains(salt.count) else {
            throw PasswordHashError(code: .malformedHash, message: "the stored salt is not base64 of \(Self.saltLengthRange) bytes")
        }
        guard let hash = PHCBase64.decode(fields[4]), Self.hashLengthRange.contains(hash.count) else {
            throw PasswordHashError(code: .malformedHash, message: "the stored hash is not base64 of \(Self.hashLengthRange) bytes")
        }
        self.salt = salt
        self.hash = hash
    }

    /// The canonical string, as stored.
    public var encoded: String {
        "\(Self.prefix)\(parameters)$\(PHCBase64.encode(salt))$\(PHCBase64.encode(hash))"
    }

    /// Exactly `ln=<n>,r=<n>,p=<n>` in that order, each a decimal without sign or leading zero.
    private static func parseParameters(_ field: Substring) throws(PasswordHashError) -> PasswordHashParameters {
        let parts = field.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let logN = value(parts[0], name: "ln"),
              let blockSize = value(parts[1], name: "r"),
              let parallelism = value(parts[2], name: "p")
        else {
            throw PasswordHashError(code: .badParameters, message: "the stored parameters are not ln=<n>,r=<n>,p=<n>")
        }
        return try PasswordHashParameters(logN: logN, blockSize: blockSize, parallelism: parallelism)
    }

    /// The number after `name=`; at most 4 digits, so absurd values still parse (and then meet
    /// the range check with a clear error) while nothing can overflow.
    private static func value(_ part: Substring, name: String) -> Int? {
        guard part.hasPrefix(name + "=") else { return nil }
        let digits = part.utf8.dropFirst(name.utf8.count + 1)
        guard (1...4).contains(digits.count), digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        guard digits.count == 1 || digits.first != UInt8(ascii: "0") else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
