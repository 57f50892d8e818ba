import Glibc
import JOSE

/// The members of a verified ID token's (or logout token's) payload, with the claims the rules,
/// `IDTokenClaims` and `LogoutTokenClaims` read picked out in one pass.
///
/// Why not hand the rules a `[String: JSONValue]`: building it hashes every name, and each rule
/// and each field of `IDTokenClaims` would then look its claim up by name, about thirty hashings
/// per token, which cost as much as parsing the whole payload. One walk over the members in
/// document order, matching names by their bytes, finds all the claims read here at once.
public struct IDTokenClaimSet: Sendable {
    /// Every member as sent, in document order, with distinct names.
    public let members: [JSONObjectMember]

    /// Where each claim below sits in `members` (see `Positions`).
    private let positions: Positions

    public var issuer: JSONValue? { value(at: positions.iss) }  // iss
    public var subject: JSONValue? { value(at: positions.sub) }  // sub
    public var audience: JSONValue? { value(at: positions.aud) }  // aud
    public var authorizedParty: JSONValue? { value(at: positions.azp) }  // azp
    public var expiry: JSONValue? { value(at: positions.exp) }  // exp
    public var issuedAt: JSONValue? { value(at: positions.iat) }  // iat
    public var notBefore: JSONValue? { value(at: positions.nbf) }  // nbf
    public var nonce: JSONValue? { value(at: positions.nonce) }  // nonce
    public var authTime: JSONValue? { value(at: positions.authTime) }  // auth_time
    public var email: JSONValue? { value(at: positions.email) }  // email
    public var emailVerified: JSONValue? { value(at: positions.emailVerified) }  // email_verified
    public var name: JSONValue? { value(at: positions.name) }  // name
    public var preferredUsername: JSONValue? { value(at: positions.preferredUsername) }  // preferred_username
    public var sessionID: JSONValue? { value(at: positions.sid) }  // sid
    public var tokenID: JSONValue? { value(at: positions.jti) }  // jti
    public var events: JSONValue? { value(at: positions.events) }  // events

    /// Any other claim, by a walk over the members (profile rules read `tid`, `hd`, `oid` once per token).
    public func member(_ name: String) -> JSONValue? {
        members.last { $0.name == name }?.value
    }

    /// Picks the claims out of `members`, which must have distinct names (as
    /// `JSONValue.parseObjectMembers` returns them); should a name repeat, the last one is read.
    public init(members: [JSONObjectMember]) {
        var positions = Positions()
        for index in members.indices {
            switch RegisteredClaimName(members[index].name) {
            case .iss: positions.iss = index
            case .sub: positions.sub = index
            case .aud: positions.aud = index
            case .azp: positions.azp = index
            case .exp: positions.exp = index
            case .iat: positions.iat = index
            case .nbf: positions.nbf = index
            case .nonce: positions.nonce = index
            case .authTime: positions.authTime = index
            case .email: positions.email = index
            case .emailVerified: positions.emailVerified = index
            case .name: positions.name = index
            case .preferredUsername: positions.preferredUsername = index
            case .sid: positions.sid = index
            case .jti: positions.jti = index
            case .events: positions.events = index
            case nil: continue
            }
        }
        self.members = members
        self.positions = positions
    }

    /// Where each claim read here sits in `members`. Positions rather than copies of the values:
    /// copying a value retains its string, and the walk would then cost a retain and a release
    /// per claim, more than finding them. Each position is an index of `members`, which never
    /// changes after `init`.
    private struct Positions: Sendable {
        var iss, sub, aud, azp, exp, iat, nbf, nonce, authTime: Int?
        var email, emailVerified, name, preferredUsername: Int?
        var sid, jti, events: Int?
    }

    private func value(at position: Int?) -> JSONValue? {
        guard let position else { return nil }
        return members[position].value
    }
}

/// The claim names `IDTokenClaimSet` picks out, recognised from a member name's UTF-8 bytes.
///
/// Matching compares bytes (length first, then `memcmp`): a `switch` over `String` literals
/// would run one Unicode-aware comparison per case and member, and a name that is merely
/// canonically equivalent to `iss` is not `iss` (JSON member names compare as code points).
enum RegisteredClaimName {
    case iss, sub, aud, azp, exp, iat, nbf, nonce, authTime, email, emailVerified, name, preferredUsername, sid, jti, events

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
            else if named("sid") { self = .sid }
            else if named("jti") { self = .jti }
            else { return nil }
        case 4:
            guard named("name") else { return nil }
            self = .name
        case 5:
            if named("nonce") { self = .nonce }
            else if named("email") { self = .email }
            else { return nil }
        case 6:
            guard named("events") else { return nil }
            self = .events
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
