import HTTP
import JOSE
import Synchronization

/// A `private_key_jwt` client assertion (RFC 7523 section 3, OIDC Core section 9), checked as a
/// real provider checks it: signed by one of the client's registered keys with an asymmetric
/// algorithm, `iss` and `sub` the client id, `aud` the token endpoint, not expired, not issued
/// in the future, and a `jti` never presented before.
enum ClientAssertion {
    static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    static let algorithms: [JWSAlgorithm] = [.rs256, .ps256, .es256, .es384, .edDSA]
    /// Clock skew allowed on `iat` and `exp`.
    static let skewSeconds: Int64 = 30

    /// The client id the assertion authenticates, or the refusal.
    static func verify(
        _ assertion: String, client: DevClient, tokenEndpoint: String, replay: ClientAssertionReplayCache, now: Int64
    ) throws(OAuthErrorResponse) -> String {
        func refuse(_ why: String) -> OAuthErrorResponse { .invalidClient("The client assertion is not valid: \(why).", usedBasic: false) }
        guard let keys = client.publicKeys else { throw refuse("no keys are registered for the client") }
        let verified: VerifiedJWS
        do {
            verified = try JWSVerifier(allowedAlgorithms: algorithms).verify(try UnverifiedJWS.parse(assertion), keys: keys)
        } catch {
            throw refuse("signature: \(error.message)")
        }
        guard case .object(let claims)? = try? JSONValue.parse(verified.payload) else { throw refuse("the payload is not a JSON object") }
        guard case .string(let issuer)? = claims["iss"], issuer == client.id,
              case .string(let subject)? = claims["sub"], subject == client.id else {
            throw refuse("iss and sub must both be the client id")
        }
        let audiences: [String] = switch claims["aud"] {
        case .string(let one)?: [one]
        case .array(let many)?: many.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: []
        }
        guard audiences.contains(tokenEndpoint) else { throw refuse("aud must name the token endpoint") }
        guard let expiry = claims["exp"]?.int64Value, now < expiry + skewSeconds else { throw refuse("it has expired or has no exp") }
        if let issuedAt = claims["iat"]?.int64Value, issuedAt > now + skewSeconds { throw refuse("it was issued in the future") }
        guard case .string(let jti)? = claims["jti"], !jti.isEmpty else { throw refuse("it has no jti") }
        guard replay.firstUse(of: jti, until: expiry + skewSeconds, now: now) else { throw refuse("its jti was used before") }
        return client.id
    }
}

/// The `jti`s of assertions accepted and not yet expired, so none is accepted twice. Bounded:
/// expired entries go first, and when it is full a new assertion is refused rather than an old
/// one forgotten.
final class ClientAssertionReplayCache: Sendable {
    static let capacity = 10_000
    private let seen = Mutex<[String: Int64]>([:])

    func firstUse(of jti: String, until expiry: Int64, now: Int64) -> Bool {
        seen.withLock { seen in
            if seen.count >= Self.capacity { seen = seen.filter { $0.value > now } }
            guard seen.count < Self.capacity, seen[jti] == nil else { return false }
            seen[jti] = expiry
            return true
        }
    }
}
