import JOSE

/// `typ`, when present, must not name another kind of JWT. An access token in JWT form
/// (RFC 9068, `at+jwt`) or a logout token (OIDC Back-Channel Logout, `logout+jwt`) may carry
/// `iss`, `aud` and `sub` that look right; explicit typing (RFC 8725 section 3.11) is what tells
/// them apart. Media types compare case-insensitively and may omit `application/` (RFC 7515 4.1.9).
public struct TokenTypePolicy: IDTokenHeaderPolicy {
    public static let refusedTypes = ["at+jwt", "logout+jwt"]
    public var reason: PolicyReason { PolicyReason(code: .wrongTokenType, sentence: "an ID token's typ must not name an access or logout token") }

    public init() {}

    public func check(_ header: JOSEHeader) throws(OIDCError) {
        guard let type = header.type else { return }
        let normalized = Self.normalized(type)
        if Self.refusedTypes.contains(normalized) { throw reason.failure("typ is \(normalized)") }
    }

    /// `typ` as compared: lower case, without an `application/` prefix (RFC 7515 section 4.1.9).
    static func normalized(_ type: String) -> String {
        var normalized = type.lowercased()
        if normalized.hasPrefix("application/") { normalized.removeFirst("application/".count) }
        return normalized
    }
}

/// `alg` must be in the provider's effective allow-list (OIDC Core 3.1.3.7 step 7), checked
/// before any key is looked at, so a token cannot choose a weaker or unexpected algorithm.
public struct AlgorithmPolicy: IDTokenHeaderPolicy {
    public let allowed: [JWSAlgorithm]
    public var reason: PolicyReason { PolicyReason(code: .algorithmNotAllowed, sentence: "an ID token's alg must be in the provider's allow-list") }

    public init(allowed: [JWSAlgorithm]) {
        self.allowed = allowed
    }

    public func check(_ header: JOSEHeader) throws(OIDCError) {
        guard let algorithm = JWSAlgorithm(rawValue: header.algorithm) else {
            throw reason.failure("alg is not one Gatehouse implements")
        }
        guard allowed.contains(algorithm) else {
            throw reason.failure("alg \(algorithm) is not among \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
