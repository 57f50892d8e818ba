import Synchronization

/// The provider's issuer identifier and the endpoint URLs under it.
struct DevIssuer: Sendable, Equatable {
    /// Exactly as published in discovery and in every token's `iss`.
    let identifier: String
    /// The identifier without a trailing `/`, to which endpoint paths are appended.
    let base: String

    init(_ identifier: String) {
        self.identifier = identifier
        var base = identifier
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
    }

    func endpoint(_ path: String) -> String { base + path }
}

/// Holds the issuer, which is known only once the port is bound when listening on port 0.
/// Handlers read it per request; before it is set they answer 503 rather than guess.
final class IssuerCell: Sendable {
    private let value = Mutex<DevIssuer?>(nil)

    var issuer: DevIssuer? { value.withLock { $0 } }

    func set(_ issuer: DevIssuer) { value.withLock { $0 = issuer } }
}
