import Crypto
import JOSE

/// Makes the ID tokens and userinfo claims of a sign-in, with its chosen fault applied.
///
/// Every fault changes exactly the one thing it names and leaves the rest of the token correct,
/// so a relying party that accepts the token has a missing check for exactly that rule.
struct DevTokenIssuer: Sendable {
    /// ID tokens are good for ten minutes.
    static let idTokenLifetimeSeconds: Int64 = 600
    /// The audience the `wrong_audience` and `extra_audience` faults use.
    static let otherAudience = "some-other-client"
    /// The issuer the `wrong_issuer` fault uses.
    static let otherIssuer = "https://wrong-issuer.invalid"

    let keys: DevSigningKeys

    /// A signed ID token for `grant`, issued by `issuer` at `now`.
    func idToken(for grant: AuthorizationGrant, issuer: String, now: Int64) throws -> String {
        var claims = Self.identityClaims(grant.identity, scopes: grant.scopes)
        claims["iss"] = .string(issuer)
        claims["aud"] = .string(grant.clientID)
        claims["azp"] = .string(grant.clientID)
        claims["iat"] = .integer(now)
        claims["exp"] = .integer(now &+ Self.idTokenLifetimeSeconds)
        if let authTime = grant.authTime { claims["auth_time"] = .integer(authTime) }
        claims["sid"] = .string(grant.sessionID)
        if let nonce = grant.nonce { claims["nonce"] = .string(nonce) }

        switch grant.fault {
        case .wrongAudience:
            claims["aud"] = .string(Self.otherAudience)
            claims["azp"] = nil
        case .extraAudience:
            claims["aud"] = .array([.string(grant.clientID), .string(Self.otherAudience)])
        case .expired:
            claims["iat"] = .integer(now &- 900)
            claims["exp"] = .integer(now &- 300)
        case .issuedInFuture:
            claims["iat"] = .integer(now &+ 600)
            claims["exp"] = .integer(now &+ 600 &+ Self.idTokenLifetimeSeconds)
        case .wrongIssuer:
            claims["iss"] = .string(Self.otherIssuer)
        case .wrongNonce:
            claims["nonce"] = .string(Base64URL.encode(try SecureRandom.bytes(16)))
        case .none, .badSignature, .unknownKid, .algNone, .userinfoWrongSubject, .accessTokenType:
            break
        }
        let payload = try JSONValue.object(claims).serialized()

        switch grant.fault {
        case .unknownKid:
            return try keys.rogue.sign(payload: payload)
        case .accessTokenType:
            return try keys.current.sign(payload: payload, type: "at+jwt")
        case .algNone:
            // RFC 7519 section 6.1's unsecured JWT: alg none and an empty signature.
            let header = try JSONValue.serializedObject([("alg", .string("none")), ("typ", .string("JWT"))])
            return Base64URL.encode(header) + "." + Base64URL.encode(payload) + "."
        case .badSignature:
            return try Self.flippingOneSignatureBit(of: keys.current.sign(payload: payload))
        default:
            return try keys.current.sign(payload: payload)
        }
    }

    /// The userinfo response for a token (OIDC Core section 5.3.2).
    static func userInfo(_ entry: AccessTokenStore.Entry) -> [String: JSONValue] {
        var claims = identityClaims(entry.identity, scopes: entry.scopes)
        if entry.fault == .userinfoWrongSubject {
            claims["sub"] = .string(entry.identity.subject + "-someone-else")
        }
        return claims
    }

    /// `sub` always; `email`/`email_verified` with the `email` scope; `name`/`preferred_username`
    /// with `profile` (OIDC Core section 5.4), and only the ones the person filled in.
    static func identityClaims(_ identity: DevIdentity, scopes: Set<String>) -> [String: JSONValue] {
        var claims: [String: JSONValue] = ["sub": .string(identity.subject)]
        if scopes.contains("email"), let email = identity.email {
            claims["email"] = .string(email)
            claims["email_verified"] = .bool(identity.emailVerified)
        }
        if scopes.contains("profile") {
            if let name = identity.name { claims["name"] = .string(name) }
            if let username = identity.preferredUsername { claims["preferred_username"] = .string(username) }
        }
        return claims
    }

    /// The token with the lowest bit of its signature's first byte flipped: still well-formed
    /// base64url of the right length, so only the signature check can catch it.
    static func flippingOneSignatureBit(of token: String) throws -> String {
        guard let lastDot = token.lastIndex(of: ".") else { throw JOSEError(code: .malformed, message: "token has no signature") }
        var signature = try Base64URL.decode(token[token.index(after: lastDot)...])
        guard !signature.isEmpty else { throw JOSEError(code: .malformed, message: "token has an empty signature") }
        signature[0] ^= 0x01
        return token[...lastDot] + Base64URL.encode(signature)
    }
}
