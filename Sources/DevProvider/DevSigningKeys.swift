import JOSE
import Synchronization

/// The provider's signing keys: the current one signs, the previous one stays published until
/// the next rotation (so tokens signed just before a rotation still verify, as at a real
/// provider), and a rogue key that is never published signs the `unknown_kid` fault.
final class DevSigningKeys: Sendable {
    let algorithm: JWSAlgorithm
    /// Signs tokens for the `unknown_kid` fault; its kid is in no JWKS this provider serves.
    let rogue: JWSSigningKey

    private struct Ring {
        var current: JWSSigningKey
        var previous: JWSSigningKey?
    }

    private let ring: Mutex<Ring>

    init(algorithm: JWSAlgorithm) throws(JOSEError) {
        self.algorithm = algorithm
        rogue = try JWSSigningKey.generate(algorithm)
        ring = Mutex(Ring(current: try JWSSigningKey.generate(algorithm), previous: nil))
    }

    var current: JWSSigningKey { ring.withLock { $0.current } }

    /// The keys in the JWKS, current first.
    var published: [JWSSigningKey] {
        ring.withLock { ring in [ring.current] + (ring.previous.map { [$0] } ?? []) }
    }

    /// Makes a new key current; the old current becomes the previous, the old previous is dropped.
    @discardableResult
    func rotate() throws(JOSEError) -> JWSSigningKey {
        // Generated outside the lock: an RSA key takes tens of milliseconds.
        let fresh = try JWSSigningKey.generate(algorithm)
        ring.withLock { ring in
            ring.previous = ring.current
            ring.current = fresh
        }
        return fresh
    }

    /// The JWKS document (RFC 7517 section 5).
    func jwksDocument() throws(JSONError) -> [UInt8] {
        try JSONValue.object(["keys": .array(published.map(\.publicJWK))]).serialized()
    }
}
