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
    /// When the person proved who they are. The account page's rule for a recent sign-in reads
    /// it, so it must be the moment of a real authentication, never merely the session's start.
    var authentication = Authentication.here

    /// A session that no provider vouched for.
    static let local = SessionOrigin()

    enum Authentication: Sendable, Equatable {
        /// A password typed here (local or a directory's bind): the sign-in is the moment.
        case here
        /// A provider vouched, saying when the person signed in there (the ID token's
        /// `auth_time`), or nil when it did not say. A provider with single sign-on answers
        /// from a session it remembered, without asking anything, so the sign-in at Gatehouse
        /// says nothing about when the person last proved who they are (review finding: a
        /// session left open at the provider met the account page's ten-minute rule).
        case atProvider(authTime: Int64?)

        /// The time to keep with the session: never later than `now`, nil when unknown.
        func time(now: Int64) -> Int64? {
            switch self {
            case .here: now
            case .atProvider(let authTime): authTime.map { min($0, now) }
            }
        }
    }
}
