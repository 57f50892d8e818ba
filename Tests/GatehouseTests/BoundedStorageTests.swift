import Crypto
import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import Gatehouse

/// Issue 12 section 3: anonymous requests write nothing that grows the database, what does get
/// written is bounded, and the purge keeps every table to its live rows and its retention.
@Suite(.serialized) struct BoundedStorageTests {
    private func rowCounts(_ database: Database) throws -> [String: Int64] {
        let statistics = try database.read { try DatabaseStatistics.read($0) }
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

    /// The anonymous sign-in page still protects its form: the token is derived from the
    /// cookie's secret, which is stored nowhere, and a password sign-in with it works.
    @Test func theStatelessFormTokenStillSignsIn() throws {
        let rig = try SignInRig()
        defer { rig.stop() }
        let hash = try PasswordHash.make(password: "correct horse", parameters: try PasswordHashParameters(logN: 4, blockSize: 8, parallelism: 1))
        try rig.gatehouse.database.write { connection in
            let user = try UserRepository(connection).create(username: "ivy", email: nil, usernameVerified: true, displayName: nil, now: 1)
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
        #expect(metrics.text.contains("gatehouse_database_rows{table=\"audit_log\"} 0"))
        #expect(metrics.text.contains("gatehouse_executor_refused_total{executor=\"passwords\"} 0"))
    }
}
