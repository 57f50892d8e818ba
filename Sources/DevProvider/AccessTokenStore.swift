import Crypto
import JOSE
import Synchronization

/// Opaque access tokens, in memory, good for the userinfo endpoint for an hour.
final class AccessTokenStore: Sendable {
    static let lifetimeSeconds: Int64 = 3600

    /// What a userinfo request with the token may see.
    struct Entry: Sendable {
        let identity: DevIdentity
        let scopes: Set<String>
        let fault: DevFault
        let expiresAt: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// A fresh token (256 random bits, base64url) for `grant`; expired tokens are dropped first.
    func issue(for grant: AuthorizationGrant, now: Int64) throws(SecureRandom.Failure) -> String {
        let token = Base64URL.encode(try SecureRandom.bytes(32))
        let entry = Entry(identity: grant.identity, scopes: grant.scopes, fault: grant.fault, expiresAt: now &+ Self.lifetimeSeconds)
        entries.withLock { entries in
            entries = entries.filter { $0.value.expiresAt > now }
            entries[token] = entry
        }
        return token
    }

    /// The entry for a live token; nil when unknown or expired.
    func lookUp(_ token: String, now: Int64) -> Entry? {
        guard let entry = entries.withLock({ $0[token] }), entry.expiresAt > now else { return nil }
        return entry
    }
}
