import Crypto
import Foundation
import HTTP
import Store
import Synchronization
import Testing
import TestSupport
@testable import Gatehouse

/// Issue 12 section 3: anonymous requests write nothing that grows the database, what does get
/// written is bounded, and the purge keeps every table to its live rows and its retention.
@Suite(.serialized) struct BoundedStorageTests {
    private func rowCounts(_ database: Database) throws -> [String: Int64] {
        let statistics = try database.statistics()
        return Dictionary(uniqueKeysWithValues: statistics.rows.map { ($0.table, $0.count) })
    }

    /// Measured before: 600 anonymous requests in 0.56 s added 1.4 MB to the audit log, 200
    /// session rows and 400 KB of sign-in flows; a `GET /oidc/<7 KB slug>/callback` wrote the
    /// slug into `audit_log`, and every cookieless `GET /login` a session row.
    @Test func anonymousRequestsWriteNothing() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        let before = try rowCounts(rig.gatehouse.database)
        let longSlug = String(repeating: "x", count: 7 * 1024)
        for index in 0..<20 {
            let browser = BrowserClient()  // cookieless, every time
            #expect(try browser.get("\(rig.origin)/login?next=/\(String(repeating: "n", count: 2000))").status == 200)
            #expect(try browser.get("\(rig.origin)/oidc/\(longSlug)/callback?code=c&state=s\(index)").status == 404)
            #expect(try browser.get("\(rig.origin)/oidc/\(longSlug)/authorize").status == 404)
            #expect(try browser.get("\(rig.origin)/no/such/page").status == 404)
            #expect(try browser.get("\(rig.origin)/api/v1/me").status == 401)
            let forged = try browser.postForm("\(rig.origin)/login", [("identifier", "x"), ("password", "y")], headers: [("Origin", rig.origin)])
            #expect(forged.status == 403, "no CSRF token: refused before anything is looked up")
        }
        #expect(try rowCounts(rig.gatehouse.database) == before)
    }

    /// Review finding: nothing bounded one user's sessions, so an account signing in by script
    /// stored a session a sign-in for hours. Past 100 unrevoked sessions, a new sign-in revokes
    /// the oldest; the newest, and the person's other recent ones, go on working.
    @Test func aUsersSessionsAreBoundedByRevokingTheOldest() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        _ = try rig.signIn()
        let first = try #require(rig.browser.cookie(named: "gatehouse_session")).value
        // 100 more sessions of the same user, as 100 other sign-ins would leave (hashes that
        // differ by construction: the index in the first bytes).
        try rig.gatehouse.database.write { connection in
            let sessions = SessionRepository(connection)
            for index in 0..<100 {
                let hash = [UInt8(index)] + [UInt8](repeating: 0xAB, count: 31)
                _ = try sessions.create(tokenHash: hash, userID: 1, now: rig.clock.now, idleLifetime: 3_600, absoluteLifetime: 7_200)
            }
        }
        #expect(try rig.count("sessions", where: "user_id = 1 AND revoked_at IS NULL") == 101, "stored as they came")
        let asFirst = { try BrowserClient().get("\(rig.origin)/api/v1/me", headers: [("Cookie", "gatehouse_session=\(first)")]).status }
        #expect(try asFirst() == 200, "the first session works before the next sign-in")
        let again = BrowserClient()
        let callback = try SignInRig.authorizeAtProvider(SignInRig.Person(), next: "/", gatehouseOrigin: rig.origin, browser: again)
        #expect(try again.get(callback).status == 303)
        #expect(try rig.count("sessions", where: "user_id = 1 AND revoked_at IS NULL") == 100)
        #expect(try rig.count("sessions", where: "user_id = 1 AND revoked_at IS NOT NULL") == 2, "the two oldest")
        #expect(try again.get("\(rig.origin)/api/v1/me").status == 200, "the new session works")
        #expect(try asFirst() == 401, "the oldest is revoked")
    }

    /// The anonymous sign-in page still protects its form: the token is derived from the
    /// cookie's secret, which is stored nowhere, and a password sign-in with it works.
    @Test func theStatelessFormTokenStillSignsIn() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        let hash = try PasswordHash.make(password: "correct horse", parameters: try PasswordHashParameters(logN: 4, blockSize: 8, parallelism: 1))
        try rig.gatehouse.database.write { connection in
            let user = try UserRepository(connection).create(username: "ivy", email: nil, usernameVerifiedBy: .administrator, displayName: nil, now: 1)
            try UserRepository(connection).setPasswordHash(userID: user.id, hash: hash, now: 1)
        }
        let page = try rig.browser.get("\(rig.origin)/login")
        #expect(try rig.count("sessions") == 0, "the page stored no session")
        var form = try #require(HTMLForm.all(in: page.text).first { $0.action == "/login" })
        form.set("identifier", "ivy")
        form.set("password", "correct horse")
        #expect(try rig.browser.postForm("\(rig.origin)/login", form.fields, headers: [("Origin", rig.origin)]).status == 303)
        #expect(try rig.count("sessions", where: "user_id IS NOT NULL") == 1)
        // Another browser's cookie does not carry this form's token.
        let other = BrowserClient()
        _ = try other.get("\(rig.origin)/login")
        #expect(try other.postForm("\(rig.origin)/login", form.fields, headers: [("Origin", rig.origin)]).status == 403)
    }

    @Test func thePurgeRemovesExpiredFlowsAndEntriesPastTheirRetention() throws {
        let clock = TestClock(1_800_000_000)
        let rig = try SignInRig(clock: clock, gatehouseExtra: "")
        defer { rig.stop() }
        _ = try rig.authorizeAtProvider()  // one flow, ten minutes to live
        #expect(try rig.gatehouse.app.purgeExpired(now: clock.now).flows == 0, "a live flow stays")
        clock.advance(by: 601)
        try rig.gatehouse.database.write { connection in
            let audit = AuditLogRepository(connection)
            try audit.append(.signedOut, now: clock.now - 401 * 86_400, detail: "old")
            try audit.append(.signedOut, now: clock.now - 399 * 86_400, detail: "kept")
        }
        let purged = try rig.gatehouse.app.purgeExpired(now: clock.now)
        #expect(purged.flows == 1, "purged at expiry, not a day later")
        #expect(purged.auditEntries == 1)
        #expect(try rig.count("audit_log", where: "detail = 'kept'") == 1)
        #expect(try rig.count("audit_log", where: "detail = 'old'") == 0)
    }

    /// Review finding: every refused sign-in wrote a deny row to `link_decisions`, bounded by
    /// retention alone, so a refused provider account could script sign-ins and grow the table
    /// by millions of rows a day. Past the cap (12 among twelve deny reasons: one) each deny
    /// removes the oldest of its reason; the decisions of people who signed in stay.
    @Test func deniedSignInsPastTheCapReplaceOlderDenialsAndNeverASignedInDecision() throws {
        let rig = try SignInRig(providerJSON: #""allowed_email_domains": ["corp.com"]"#, databaseExtra: #", "max_unauthenticated_audit_entries": 12"#)
        defer { rig.stop() }
        var alice = SignInRig.Person()
        alice.email = "alice@corp.com"
        #expect(try rig.signIn(alice).status == 303, "created")
        let stranger = BrowserClient()
        for attempt in 1...13 {
            var refused = SignInRig.Person()
            (refused.subject, refused.email, refused.preferredUsername) = ("gmail-\(attempt)", "someone\(attempt)@gmail.com", "someone\(attempt)")
            let callback = try rig.authorizeAtProvider(refused, browser: stranger)
            #expect(try stranger.get(callback).status == 403)
        }
        #expect(try rig.signIn(alice).status == 303, "signed in again")

        let decisions = try rig.gatehouse.database.read { connection in
            try connection.query("SELECT decision, subject, reason FROM link_decisions ORDER BY id").map { row in
                "\(try row.string("decision")) \(try row.string("subject")) \(try row.optionalString("reason") ?? "-")"
            }
        }
        #expect(decisions == ["create alice-subject -", "deny gmail-13 domain_not_allowed", "sign_in alice-subject -"])
        #expect(try rig.count("link_decisions", where: "decision = 'deny'") <= 12, "within the cap")
    }

    /// What another writer saw at each of the purge's rests.
    private final class SeenBetweenBatches: Sendable {
        /// Rows still to purge, counted by the other writer at each rest.
        let remaining = Mutex<[Int64]>([])
        let failures = Mutex<[String]>([])
    }

    /// Review finding: the purge deleted every row past retention in one write transaction, so a
    /// backlog of millions held the writer for seconds and every sign-in's write failed at the
    /// busy timeout. Now each batch is its own transaction: at every rest a second `Database` on
    /// the same file commits a write (it could not while a purge transaction was open) and counts
    /// what is left, which never drops by more than one batch at a time.
    @Test func thePurgeDeletesABacklogInBatchesThatLetAnotherWriterCommitBetween() throws {
        let gatehouse = try RunningGatehouse()
        defer { gatehouse.stop() }
        let now: Int64 = 1_800_000_000
        let old = now - 401 * 86_400
        try gatehouse.database.write { connection in
            let audit = AuditLogRepository(connection)
            let decisions = LinkDecisionRepository(connection)
            for row in 0..<25 {
                try audit.append(.signedOut, now: old, detail: "old \(row)")
                try decisions.append(
                    LinkDecisionEntry(provider: "dev", issuer: "https://idp.example", subject: "old \(row)", userID: nil, decision: "deny",
                                      reason: "domain_not_allowed", rule: "test", requestID: nil),
                    now: old
                )
                _ = try SessionRepository(connection).create(
                    tokenHash: Digest.sha256(Array("dead \(row)".utf8)), userID: nil, now: now - 100, idleLifetime: 10, absoluteLifetime: 1_000
                )
            }
            try audit.append(.signedOut, now: now, detail: "kept")
            _ = try SessionRepository(connection).create(
                tokenHash: Digest.sha256(Array("live".utf8)), userID: nil, now: now, idleLifetime: 10, absoluteLifetime: 1_000
            )
        }
        let toPurge = "SELECT (SELECT count(*) FROM audit_log WHERE at < \(now - 400 * 86_400)) + (SELECT count(*) FROM link_decisions) + (SELECT count(*) FROM sessions WHERE idle_expires_at <= \(now))"
        let other = try Database(path: gatehouse.database.path, options: DatabaseOptions(busyTimeoutMilliseconds: 250))
        defer { other.close() }
        let seen = SeenBetweenBatches()
        let batches = PurgeBatches(size: 10) { _ in
            do {
                let left = try other.read { try $0.queryOne(toPurge)?.int64(at: 0) ?? -1 }
                seen.remaining.withLock { $0.append(left) }
                _ = try other.write { try AuditLogRepository($0).append(.signedOut, now: now, detail: "between batches") }
            } catch {
                seen.failures.withLock { $0.append("\(error)") }
            }
        }

        let purged = try gatehouse.app.purgeExpired(now: now, in: batches)
        #expect(purged.sessions == 25 && purged.auditEntries == 25 && purged.linkDecisions == 25)
        #expect(seen.failures.withLock { $0 } == [], "the other writer committed at every rest")
        let remaining = [75] + seen.remaining.withLock { $0 }
        #expect(remaining.last == 0)
        #expect(zip(remaining, remaining.dropFirst()).allSatisfy { $0 - $1 <= 10 }, "no transaction deleted more than a batch: \(remaining)")
        #expect(remaining.count - 1 >= 9, "at least three batches each of sessions, audit entries and link decisions")
        #expect(try gatehouse.database.read { try $0.queryOne("SELECT count(*) FROM audit_log WHERE detail = 'between batches'")?.int(at: 0) } == remaining.count - 1)
        #expect(try gatehouse.database.read { try $0.queryOne("SELECT count(*) FROM audit_log WHERE detail = 'kept'")?.int(at: 0) } == 1)
        #expect(try gatehouse.database.read { try $0.queryOne("SELECT count(*) FROM sessions")?.int(at: 0) } == 1, "the live session stays")
    }

    @Test func anAuditDetailIsBoundedWhateverTheCallerPutsInIt() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        _ = try rig.gatehouse.database.write { connection in
            try AuditLogRepository(connection).append(.signedOut, now: 1, detail: String(repeating: "é", count: 5000))
        }
        let stored = try rig.gatehouse.database.read { try $0.queryOne("SELECT detail FROM audit_log")?.string(at: 0) } ?? ""
        #expect(stored.utf8.count <= AuditLogRepository.maximumDetailBytes)
        #expect(stored.hasSuffix("…"))
    }

    @Test func metricsReportTheDatabasesSizeAndRows() throws {
        let rig = try SignInRig(serverExtra: #", "metrics_require_token": false"#)
        defer { rig.stop() }
        let metrics = try rig.browser.get("\(rig.origin)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("gatehouse_database_bytes "))
        #expect(metrics.text.contains("gatehouse_database_log_bytes "))
        #expect(metrics.text.contains("gatehouse_database_rows{table=\"audit_log\"} 0"))
        #expect(metrics.text.contains("gatehouse_executor_refused_total{executor=\"passwords\"} 0"))
    }
}
