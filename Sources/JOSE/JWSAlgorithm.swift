/// A JWS signature algorithm this library implements (RFC 7518 section 3, RFC 8037 section 3.1).
///
/// The set is closed: `init?(rawValue:)` only knows these names, compared case-sensitively as
/// RFC 7515 requires, so `none` (in any capitalisation) and anything else are unrepresentable.
public struct JWSAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    /// Which key and which check the algorithm needs; it drives key selection and verification.
    let family: Family
    /// A number of its own for each algorithm below, so that equality is one comparison: allow-
    /// lists are searched several times per token, and `==` on two different names is a call
    /// into the String runtime.
    private let number: UInt8

    public init?(rawValue: String) {
        guard let known = Self.all.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }

    private init(_ rawValue: String, _ family: Family, number: UInt8) {
        self.rawValue = rawValue
        self.family = family
        self.number = number
    }

    public var description: String { rawValue }

    // The name alone identifies an algorithm (the family follows from it), so equality and hashing
    // look only at the name: the synthesised versions would also walk the family's payloads.
    // Every value is one of the constants below (`init?(rawValue:)` copies one), each with its own
    // name and its own number, so equal numbers mean equal names and the reverse.
    public static func == (lhs: JWSAlgorithm, rhs: JWSAlgorithm) -> Bool { lhs.number == rhs.number }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public static let rs256 = JWSAlgorithm("RS256", .rsaPKCS1(.sha256), number: 0)
    public static let rs384 = JWSAlgorithm("RS384", .rsaPKCS1(.sha384), number: 1)
    public static let rs512 = JWSAlgorithm("RS512", .rsaPKCS1(.sha512), number: 2)
    public static let ps256 = JWSAlgorithm("PS256", .rsaPSS(.sha256), number: 3)
    public static let ps384 = JWSAlgorithm("PS384", .rsaPSS(.sha384), number: 4)
    public static let ps512 = JWSAlgorithm("PS512", .rsaPSS(.sha512), number: 5)
    public static let es256 = JWSAlgorithm("ES256", .ecdsa(.sha256, .p256), number: 6)
    public static let es384 = JWSAlgorithm("ES384", .ecdsa(.sha384, .p384), number: 7)
    public static let es512 = JWSAlgorithm("ES512", .ecdsa(.sha512, .p521), number: 8)
    /// EdDSA; this library implements it with Ed25519 only (RFC 8037).
    public static let edDSA = JWSAlgorithm("EdDSA", .edDSA, number: 9)
    /// HMAC algorithms: only ever keyed by a secret the caller passes explicitly.
    public static let hs256 = JWSAlgorithm("HS256", .hmac(.sha256), number: 10)
    public static let hs384 = JWSAlgorithm("HS384", .hmac(.sha384), number: 11)
    public static let hs512 = JWSAlgorithm("HS512", .hmac(.sha512), number: 12)

    /// Every algorithm this library implements.
    public static let all: [JWSAlgorithm] = [
        .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .es256, .es384, .es512, .edDSA, .hs256, .hs384, .hs512,
    ]

    enum Family: Hashable, Sendable {
        case rsaPKCS1(Digest)
        case rsaPSS(Digest)
        case ecdsa(Digest, EllipticCurve)
        case edDSA
        case hmac(Digest)
    }
}

/// The hash functions the JWS algorithms use.
enum Digest: Hashable, Sendable {
    case sha256, sha384, sha512

    var byteCount: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// The elliptic curves of JWK `crv` for EC keys (RFC 7518 section 6.2.1.1).
public enum EllipticCurve: String, Sendable, CaseIterable {
    case p256 = "P-256"
    case p384 = "P-384"
    case p521 = "P-521"

    /// The length of one coordinate, and of each of r and s in a JOSE signature.
    public var coordinateByteCount: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }
}
