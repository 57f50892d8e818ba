import Crypto
import JOSE

/// A back-channel logout token (OIDC Back-Channel Logout 1.0 section 2.4) as this provider would
/// send one, signed with its current key: for Gatehouse's tests and for trying a relying party's
/// back-channel logout endpoint by hand. Each member changes one thing a provider may vary, so
/// a test can send exactly the token it means.
public struct DevLogoutToken: Sendable {
    /// `sub`; nil leaves it out.
    public var subject: String?
    /// `sid`; nil leaves it out.
    public var sessionID: String?
    /// `jti`: random unless set (set it to send the same token twice).
    public var tokenID: String?
    /// The header's `typ`: `logout+jwt` by default; `JWT` as early-draft providers send it.
    public var type: String? = "logout+jwt"
    /// Whether `exp` is sent (two minutes after `iat`); early-draft providers send none.
    public var includesExpiry = true

    public init(subject: String? = nil, sessionID: String? = nil) {
        self.subject = subject
        self.sessionID = sessionID
    }

    /// The claims for a token issued by `issuer` to `clientID` at `now`.
    func claims(issuer: String, clientID: String, now: Int64) throws -> [String: JSONValue] {
        var claims: [String: JSONValue] = [
            "iss": .string(issuer),
            "aud": .string(clientID),
            "iat": .integer(now),
            "jti": .string(try tokenID ?? Base64URL.encode(SecureRandom.bytes(16))),
            "events": .object(["http://schemas.openid.net/event/backchannel-logout": .object([:])]),
        ]
        if includesExpiry { claims["exp"] = .integer(now &+ 120) }
        if let subject { claims["sub"] = .string(subject) }
        if let sessionID { claims["sid"] = .string(sessionID) }
        return claims
    }
}
