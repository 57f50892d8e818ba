import Crypto
import HTTP
import Logging
import Synchronization

/// Who may call the admin API: a bearer API token (RFC 6750), and nothing else. A browser's
/// session cookie is never looked at, so a page on another site cannot make a signed-in
/// person's browser call the API (there is no CSRF surface), and no CORS preflight is ever
/// granted: the routes answer none.
///
/// A failure (a token that is not live, or a credential of another scheme) is written to the
/// audit log and counted against the client's address. Past its free failures an address's
/// further failures are answered at once with `Retry-After` and are not written one by one (one
/// entry marks each escalation), so a flood of wrong tokens can grow neither the log nor the
/// work without bound. The answer stays 401: the request is unauthenticated, and that is what
/// a client must learn from it. A valid token is never refused for its address's failures: a
/// token is 256 random bits, there is nothing to guess, and refusing it would let anyone behind
/// the same address lock an operator out.
final class APIAuthentication: Sendable {
    private let administration: Administration
    private let audit: AuditRecorder
    private let logger: Logger
    private let policy: LoginThrottlePolicy
    private let failures = Mutex(FailureTable())

    init(administration: Administration, audit: AuditRecorder, logger: Logger, policy: LoginThrottlePolicy = .standard) {
        self.administration = administration
        self.audit = audit
        self.logger = logger
        self.policy = policy
    }

    /// The request's token, allowed `needed`; or the problem to answer with.
    func authorize(_ request: Request, needing needed: APIScope) throws -> AuthenticatedToken {
        guard let header = request.headers["Authorization"] else {
            throw APIProblem.unauthorized("This request needs an API token: Authorization: Bearer <token>.")
        }
        let presented = Self.bearerToken(in: header)
        if let presented, let token = try administration.authenticate(presented) {
            guard token.scopes.allow(needed) else { throw APIProblem.insufficientScope(needed) }
            return token
        }
        throw refuse(request, scheme: presented == nil ? "other" : "bearer")
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme compared without case).
    static func bearerToken(in header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : String(token)
    }

    /// Counts and records a failure: the first ones of an address one by one, then one entry
    /// each time its delay grows; past the free ones the answer carries `Retry-After`.
    private func refuse(_ request: Request, scheme: String) -> APIProblem {
        let now = administration.clock()
        let key = Digest.sha256(Array(("api:" + ClientBlock.key(for: request.clientAddress)).utf8))
        let (waitBefore, waitAfter) = failures.withLock { table -> (Int64, Int64) in
            let before = table.wait(for: key, policy: policy, now: now)
            guard before == 0 else { return (before, before) }
            table.recordFailure(key, policy: policy, now: now)
            return (0, table.wait(for: key, policy: policy, now: now))
        }
        var problem = APIProblem.invalidToken()
        guard waitBefore == 0 else {
            problem.headers.append(("Retry-After", String(waitBefore)))
            return problem
        }
        let who = "address=\(request.clientAddress.prefix(64)); scheme=\(scheme); path=\(request.routePattern ?? "")"
        audit.record(.apiAuthenticationFailed, requestID: request.requestID, now: now, detail: who)
        logger.notice("admin API authentication failed", metadata: [
            "request_id": "\(request.requestID)", "client": "\(request.clientAddress)", "scheme": "\(scheme)",
        ])
        if waitAfter > 0 {
            audit.record(.apiAuthenticationRateLimited, requestID: request.requestID, now: now, detail: "\(who); retry_after=\(waitAfter)")
            problem.headers.append(("Retry-After", String(waitAfter)))
        }
        return problem
    }
}
