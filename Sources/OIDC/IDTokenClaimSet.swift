import Glibc
import JOSE

/// The members of a verified ID token's payload, with the claims the rules and `IDTokenClaims`
/// read picked out in one pass.
///
/// Why not hand the rules a `[String: JSONValue]`: building it hashes every name, and each rule
/// and each field of `IDTokenClaims` would then look its claim up by name, about thirty hashings
/// per token, which cost as much as parsing the whole payload. One walk over the members in
/// document order, matching names by their bytes, finds all the claims read here at once.
public struct IDTokenClaimSet: Sendable {
    /// Every member as sent, in document order, with distinct names.
    public let members: [JSONObjectMember]

    public let issuer: JSONValue?  // iss
    public let subject: JSONValue?  // sub
    public let audience: JSONValue?  // aud
    public let authorizedParty: JSONValue?  // azp
    public let expiry: JSONValue?  // exp
    public let issuedAt: JSONValue?  // iat
    public let notBefore: JSONValue?  // nbf
    public let nonce: JSONValue?  // nonce
    public let authTime: JSONValue?  // auth_time
    public let email: JSONValue?  // email
    public let emailVerified: JSONValue?  // email_verified
    public let name: JSONValue?  // name
    public let preferredUsername: JSONValue?  // preferred_username

    /// Picks the claims out of `members`, which must have distinct names (as
    /// `JSONValue.parseObjectMembers` returns them); should a name repeat, the last one is read.
    public init(members: [JSONObjectMember]) {
        var iss, sub, aud, azp, exp, iat, nbf, nonce, authTime: JSONValue?
        var email, emailVerified, name, preferredUsername: JSONValue?
        for member in members {
            let value = member.value
            switch RegisteredClaimName(member.name) {
            case .iss: iss = value
            case .sub: sub = value
            case .aud: aud = value
            case .azp: azp = value
            case .exp: exp = value
            case .iat: iat = value
            case .nbf: nbf = value
            case .nonce: nonce = value
            case .authTime: authTime = value
            case .email: email = value
            case .emailVerified: emailVerified = value
            case .name: name = value
            case .preferredUsername: preferredUsername = value
            case nil: continue
            }
        }
        self.members = members
        self.issuer = iss
        self.subject = sub
        self.audience = aud
        self.authorizedParty = azp
        self.expiry = exp
        self.issuedAt = iat
        self.notBefore = nbf
        self.nonce = nonce
        self.authTime = authTime
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.preferredUsername = preferredUsername
    }
}

/// The claim names `IDTokenClaimSet` picks out, recognised from a member name's UTF-8 bytes.
///
/// Matching compares bytes (length first, then `memcmp`): a `switch` over `String` literals
/// would run one Unicode-aware comparison per case and member, and a name that is merely
/// canonically equivalent to `iss` is not `iss` (JSON member names compare as code points).
enum RegisteredClaimName {
    case iss, sub, aud, azp, exp, iat, nbf, nonce, authTime, email, emailVerified, name, preferredUsername

    init?(_ memberName: String) {
        var memberName = memberName
        guard let found = memberName.withUTF8({ Self(bytes: $0) }) else { return nil }
        self = found
    }

    private init?(bytes: UnsafeBufferPointer<UInt8>) {
        func named(_ literal: StaticString) -> Bool {
            // Callers pick literals of `bytes.count` bytes, so both buffers hold that many.
            guard let base = bytes.baseAddress, literal.utf8CodeUnitCount == bytes.count else { return false }
            return memcmp(base, literal.utf8Start, bytes.count) == 0
        }
        switch bytes.count {
        case 3:
            if named("iss") { self = .iss }
            else if named("sub") { self = .sub }
            else if named("aud") { self = .aud }
            else if named("azp") { self = .azp }
            else if named("exp") { self = .exp }
            else if named("iat") { self = .iat }
            else if named("nbf") { self = .nbf }
            else { return nil }
        case 4:
            guard named("name") else { return nil }
            self = .name
        case 5:
            if named("nonce") { self = .nonce }
            else if named("email") { self = .email }
            else { return nil }
        case 9:
            guard named("auth_time") else { return nil }
            self = .authTime
        case 14:
            guard named("email_verified") else { return nil }
            self = .emailVerified
        case 18:
            guard named("preferred_username") else { return nil }
            self = .preferredUsername
        default:
            return nil
        }
    }
}
