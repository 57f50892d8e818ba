/// What `GET /auth/verify` needs from a session and its user, read in one query
/// (`SessionRepository.findForwardAuth`). Only signed-in sessions of active users have one.
///
/// It carries what is verified about the user, and only that is ever told to an application:
/// the username when verified, the email (and its key, for `allowed_email_domains`) when verified.
public struct ForwardAuthSession: Sendable, Equatable {
    public let userID: Int64
    /// The username when it is verified (set by an operator, a local account or a trusted
    /// claim), else nil.
    public let verifiedUsername: String?
    /// The email when it is verified, else nil.
    public let verifiedEmail: String?
    /// `verifiedEmail`'s matching key, as stored.
    public let verifiedEmailKey: String?
    /// `sessions.groups` as stored: newline-joined values, or nil for none. Kept as the raw
    /// text so the hot path can turn it into a header with one pass and no array.
    public let storedGroups: String?
    /// For the touch-interval check (`SessionRecord.needsTouch` has the same rule).
    public let lastSeenAt: Int64

    public init(
        userID: Int64, verifiedUsername: String?, verifiedEmail: String?, verifiedEmailKey: String?, storedGroups: String?,
        lastSeenAt: Int64
    ) {
        self.userID = userID
        self.verifiedUsername = verifiedUsername
        self.verifiedEmail = verifiedEmail
        self.verifiedEmailKey = verifiedEmailKey
        self.storedGroups = storedGroups
        self.lastSeenAt = lastSeenAt
    }

    /// The group values, split (for rules; the header uses `storedGroups`).
    public var groups: [String] { SessionDetails.groups(stored: storedGroups) }

    /// Whether a touch at `now` would write; see `SessionRecord.needsTouch`.
    public func needsTouch(at now: Int64, minimumInterval: Int64) -> Bool {
        let (elapsed, overflow) = now.subtractingReportingOverflow(lastSeenAt)
        return !overflow && elapsed >= minimumInterval
    }
}
