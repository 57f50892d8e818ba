import HTTP
import Store

/// A signed-in (or not yet signed-in) browser session, as handlers see it.
public struct ActiveSession: Sendable {
    public let token: SessionToken
    public let record: SessionRecord

    /// The token forms of this session must carry.
    public var csrfToken: String { CSRFProtection.token(for: token) }
}

/// Server-side sessions: the cookie carries 256 random bits, the database only their SHA-256.
///
/// Every sign-in gets a new id (the old one is revoked), so an id planted before sign-in
/// (session fixation) is worthless after it.
public final class SessionManager: Sendable {
    public let settings: SessionSettings
    private let database: Database
    private let forwardAuthCache = ForwardAuthSessionCache()

    public init(database: Database, settings: SessionSettings) {
        self.database = database
        self.settings = settings
    }

    public struct Started: Sendable {
        public let session: ActiveSession
        public let cookie: SetCookie
    }

    /// The most unrevoked sessions one user keeps: a new sign-in past it revokes the oldest.
    /// Review finding: nothing bounded them, so one account signing in by script (any account of
    /// a public provider, with sign-ups open) stored a session a sign-in for hours. A person's
    /// browsers and devices stay far below it.
    static let maximumSessionsPerUser = 100

    /// Starts a session for `userID`, revoking the session the request came with, if any.
    /// `groups` (from the sign-in's groups claim, already filtered by `SessionGroups`) are kept
    /// with the session for forward-auth. Internal, for tests: a signed-in session starts only
    /// through `SignInCompletion`, the one end of every sign-in (review finding: this was a
    /// public way around it, with no active-user check and no audit entry).
    func start(
        userID: Int64?, provider: String?, groups: [String] = [], idToken: String? = nil, request: Request, now: Int64
    ) throws -> Started {
        let origin = SessionOrigin(provider: provider, groups: groups, idToken: idToken)
        return try database.write { connection in
            try start(userID: userID, origin: origin, request: request, now: now, in: connection)
        }
    }

    /// Like `start(userID:provider:groups:idToken:request:now:)`, inside the caller's write
    /// transaction, so a sign-in stores its user, its session and its audit entry in one commit.
    /// `origin` is what the session keeps of how it came to be.
    func start(userID: Int64?, origin: SessionOrigin, request: Request, now: Int64, in connection: Connection) throws -> Started {
        let token = try SessionToken.generate()
        let details = SessionDetails(
            authenticatedAt: userID == nil ? nil : origin.authentication.time(now: now), provider: origin.provider,
            userAgent: request.headers["User-Agent"].map { String($0.prefix(256)) },
            clientAddress: request.clientAddress, groups: origin.groups, idToken: origin.idToken,
            providerSessionID: origin.providerSessionID, identityID: origin.identityID
        )
        let sessions = SessionRepository(connection)
        if let previous = presentedToken(in: request) { try sessions.revoke(tokenHash: previous.hash, now: now) }
        let record = try sessions.create(
            tokenHash: token.hash, userID: userID, now: now,
            idleLifetime: settings.idleLifetime, absoluteLifetime: settings.absoluteLifetime, details: details
        )
        if let userID { try sessions.revokeOldest(userID: userID, keeping: Self.maximumSessionsPerUser, now: now) }
        let session = ActiveSession(token: token, record: record)
        return Started(session: session, cookie: try cookie(for: session))
    }

    /// The usable session the request presents, or nil. A busy session is touched at most once
    /// per `touchInterval`, so most requests cost one indexed read and no write.
    public func current(_ request: Request, now: Int64, touching: TouchWait = .waitForWriter) throws -> ActiveSession? {
        guard let token = presentedToken(in: request) else { return nil }
        let hash = token.hash
        let found = try database.read { connection in
            try SessionRepository(connection).findActive(tokenHash: hash, now: now)
        }
        guard let record = found else { return nil }
        if record.needsTouch(at: now, minimumInterval: settings.touchInterval) { try touch(hash, now: now, touching) }
        return ActiveSession(token: token, record: record)
    }

    /// Whether a touch may wait for the database's writer.
    public enum TouchWait: Sendable {
        /// Pages on the store executor: the touch waits its turn.
        case waitForWriter
        /// Handlers that run on a connection's loop and must never wait (forward-auth,
        /// `/api/v1/me`): when another write holds the writer, the touch is left to a later request.
        case onlyIfIdle
    }

    /// Extends a busy session's idle expiry; the repository re-checks the interval, so two
    /// requests racing here write once.
    private func touch(_ hash: [UInt8], now: Int64, _ wait: TouchWait) throws {
        let body = { (connection: Connection) throws -> Bool in
            try SessionRepository(connection).touch(
                tokenHash: hash, now: now, idleLifetime: self.settings.idleLifetime, minimumInterval: self.settings.touchInterval
            )
        }
        switch wait {
        case .waitForWriter: _ = try database.write(body)
        case .onlyIfIdle: _ = try database.writeIfIdle(body)
        }
    }

    /// The forward-auth view of the request's session (one indexed read, or none when the
    /// same session was read this second and nothing was written since), or nil. Touched under
    /// the same interval rule as `current`, so a person busy in a protected application keeps
    /// the session alive, at one write per session per `touchInterval` rather than per request.
    /// The touch never waits for the writer: when another write holds it, the touch is left to
    /// the next request, so forward-auth never queues behind sign-ins.
    public func forwardAuthSession(_ request: Request, now: Int64) throws -> ForwardAuthSession? {
        guard let token = presentedToken(in: request) else { return nil }
        let hash = token.hash
        let stamp = forwardAuthStamp(now: now)
        if let kept = forwardAuthCache.session(for: hash, at: stamp) { return kept }
        let found = try database.readSingleStatement { connection in
            try SessionRepository(connection).findForwardAuth(tokenHash: hash, now: now)
        }
        guard let session = found else { return nil }
        if session.needsTouch(at: now, minimumInterval: settings.touchInterval) {
            // The touch is a write, which moves the stamp on: nothing to keep.
            try touch(hash, now: now, .onlyIfIdle)
        } else {
            forwardAuthCache.keep(session, for: hash, readAt: stamp, current: forwardAuthStamp(now: now))
        }
        return session
    }

    private func forwardAuthStamp(now: Int64) -> ForwardAuthSessionCache.Stamp {
        ForwardAuthSessionCache.Stamp(second: now, writeCount: database.writeCount)
    }

    /// Revokes the request's session (sign-out) and returns the cookie that clears it in the browser.
    /// What a sign-out leaves to do at the provider the session came through, if any.
    public struct Ended: Sendable {
        public let provider: String?
        public let idToken: String?
    }

    /// Signs the request's session out (revoked, its ID token forgotten) and returns the cookie
    /// that clears it, with what RP-initiated logout at the provider needs.
    public func signOut(_ request: Request, now: Int64) throws -> (cookie: SetCookie, ended: Ended?) {
        var ended: Ended?
        if let token = presentedToken(in: request) {
            ended = try database.write { connection in
                try SessionRepository(connection).signOut(tokenHash: token.hash, now: now).map { Ended(provider: $0.provider, idToken: $0.idToken) }
            }
        }
        return (try removalCookie(), ended)
    }

    /// Signs the request's session out and returns the cookie that clears it.
    public func end(_ request: Request, now: Int64) throws -> SetCookie {
        try signOut(request, now: now).cookie
    }

    /// Revokes every session of a user, for "sign out everywhere" and account deactivation.
    @discardableResult
    public func revokeAll(userID: Int64, now: Int64) throws -> Int {
        try database.write { connection in
            try SessionRepository(connection).revokeAll(userID: userID, now: now)
        }
    }

    /// Deletes sessions that can never be used again, walking them by id in `batches`; run
    /// periodically.
    @discardableResult
    public func purgeExpired(now: Int64, in batches: PurgeBatches = PurgeBatches()) throws -> Int {
        var after: Int64 = 0
        return try batches.walk(on: database) { connection, size in
            let step = try SessionRepository(connection).deleteExpired(now: now, after: after, limit: size)
            after = step.resumeAfter ?? after
            return (step.deleted, step.resumeAfter != nil)
        }
    }

    public func cookie(for session: ActiveSession) throws -> SetCookie {
        try SetCookie(
            name: settings.cookieName, value: session.token.cookieValue,
            maxAge: Int(session.record.absoluteExpiresAt - session.record.createdAt),
            domain: settings.cookieDomain, path: "/", secure: settings.secure, httpOnly: true, sameSite: .lax
        )
    }

    /// The cookie of a browser that has no session yet: a fresh secret, stored nowhere, that the
    /// sign-in form's CSRF token is derived from. It grants nothing, and a sign-in replaces it.
    public func anonymousCookie(_ token: SessionToken) throws -> SetCookie {
        try SetCookie(
            name: settings.cookieName, value: token.cookieValue, maxAge: Int(settings.absoluteLifetime),
            domain: settings.cookieDomain, path: "/", secure: settings.secure, httpOnly: true, sameSite: .lax
        )
    }

    public func removalCookie() throws -> SetCookie {
        try SetCookie.removal(
            name: settings.cookieName, domain: settings.cookieDomain, path: "/",
            secure: settings.secure, httpOnly: true, sameSite: .lax
        )
    }

    /// The well-formed session token in the request's cookie, if any. Malformed values are ignored
    /// without a database lookup.
    public func presentedToken(in request: Request) -> SessionToken? {
        guard let value = request.cookie(named: settings.cookieName) else { return nil }
        return SessionToken(cookieValue: value)
    }
}

extension SessionSettings {
    init(config: GatehouseConfig) {
        self.init(
            idleLifetime: Int64(config.sessions.idleTimeoutSeconds),
            absoluteLifetime: Int64(config.sessions.absoluteTimeoutSeconds),
            cookieName: config.sessionCookieName,
            cookieDomain: config.sessions.cookieDomain,
            secure: config.server.isHTTPS
        )
    }
}
