/// How a session came to be, kept with it for the paths that later act on it: forward-auth
/// reads `groups`, sign-out sends `idToken` back to the provider, and a provider's back-channel
/// logout finds the session by `providerSessionID` (the ID token's `sid`) or by `identityID`.
/// A password session has only what the defaults say: no provider, no groups, nothing to name.
struct SessionOrigin: Sendable, Equatable {
    var provider: String?
    /// Already filtered by `SessionGroups`.
    var groups: [String] = []
    var idToken: String?
    /// The provider's `sid` for its own session, never logged.
    var providerSessionID: String?
    var identityID: Int64?

    /// A session that no provider vouched for.
    static let local = SessionOrigin()
}
