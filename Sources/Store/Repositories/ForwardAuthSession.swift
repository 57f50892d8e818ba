/// What `GET /auth/verify` needs from a session and its user, read in one query
/// (`SessionRepository.findForwardAuth`). Only signed-in sessions of active users have one.
public struct ForwardAuthSession: Sendable, Equatable {
    public let userID: Int64
    public let username: String
    public let email: String?
    /// `sessions.groups` as stored: newline-joined values, or nil for none. Kept as the raw
    /// text so the hot path can turn it into a header with one pass and no array.
    public let storedGroups: String?
    /// For the touch-interval check (`SessionRecord.needsTouch` has the same rule).
    public let lastSeenAt: Int64

    public init(userID: Int64, username: String, email: String?, storedGroups: String?, lastSeenAt: Int64) {
        self.userID = userID
        self.username = username
        self.email = email
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
