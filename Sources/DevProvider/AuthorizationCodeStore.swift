import Crypto
import JOSE
import Synchronization

/// What an authorization code stands for: who signed in, for which client and redirect URI,
/// with which PKCE challenge and nonce, and which deliberate fault they chose.
struct AuthorizationGrant: Sendable {
    let clientID: String
    let redirectURI: String
    let codeChallenge: String
    let nonce: String?
    let scopes: Set<String>
    let identity: DevIdentity
    let fault: DevFault
    /// When the person signed in, as the ID token's `auth_time` reports it (nil: not reported).
    let authTime: Int64?
    /// This sign-in's session at the provider (the ID token's `sid`).
    let sessionID: String
}

/// Single-use authorization codes, in memory, each valid for 60 seconds.
///
/// `redeem` removes the code whatever happens next, so a code can be exchanged at most once
/// even when the exchange then fails (a wrong verifier does not earn a second try): RFC 6749
/// section 4.1.2 requires single use, and OAuth 2.0 Security BCP 4.5 explains why.
final class AuthorizationCodeStore: Sendable {
    static let lifetimeSeconds: Int64 = 60

    private struct Entry {
        let grant: AuthorizationGrant
        let expiresAt: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// A fresh code (256 random bits, base64url) for `grant`. Expired codes are dropped first, so
    /// the store never holds more than a minute's worth of sign-ins.
    func issue(_ grant: AuthorizationGrant, now: Int64) throws(SecureRandom.Failure) -> String {
        let code = Base64URL.encode(try SecureRandom.bytes(32))
        entries.withLock { entries in
            entries = entries.filter { $0.value.expiresAt > now }
            entries[code] = Entry(grant: grant, expiresAt: now &+ Self.lifetimeSeconds)
        }
        return code
    }

    /// The grant behind `code`, removing it; nil when the code is unknown, used or expired.
    func redeem(_ code: String, now: Int64) -> AuthorizationGrant? {
        guard let entry = entries.withLock({ $0.removeValue(forKey: code) }), entry.expiresAt > now else { return nil }
        return entry.grant
    }
}
