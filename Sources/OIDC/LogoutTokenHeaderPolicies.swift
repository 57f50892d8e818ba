import JOSE

/// A logout token's `typ` must be `logout+jwt` (Back-Channel Logout 1.0 section 2.4, RFC 8725
/// section 3.11), `JWT`, or absent; any other type is refused.
///
/// The reverse of `TokenTypePolicy`: an allow-list, not a deny-list. A logout token acts on
/// whoever its `sub` names, and an ID token or an access token from the same provider has a
/// `sub`, `iss` and `aud` that look right; what must stop one from passing as a logout token is
/// that it says what it is. `JWT` and no `typ` are still accepted because providers that follow
/// the earlier drafts (Debian's glewlwyd 2.7.5 among them) send `JWT`; such a token is then told
/// apart by its claims (`events` required, `nonce` refused).
public struct LogoutTokenTypePolicy: IDTokenHeaderPolicy {
    /// The accepted types, as `TokenTypePolicy.normalized` spells them.
    public static let acceptedTypes = ["logout+jwt", "jwt"]
    public var reason: PolicyReason {
        PolicyReason(code: .wrongTokenType, sentence: "a logout token's typ must be logout+jwt, JWT, or absent")
    }

    public init() {}

    public func check(_ header: JOSEHeader) throws(OIDCError) {
        guard let type = header.type else { return }
        // The refused value is not quoted: it is the sender's text, of any length.
        guard Self.acceptedTypes.contains(TokenTypePolicy.normalized(type)) else { throw reason.failure("typ names another kind of token") }
    }
}
