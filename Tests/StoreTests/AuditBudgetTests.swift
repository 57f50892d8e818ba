import Store
import Testing

/// Migrations 0015, 0016 and 0018: entries of attempts anyone can make without authenticating are
/// kept to a count, by triggers, each kind to an equal share of it; a flood of one kind never
/// removes an entry of another kind, nor any other entry.
@Suite struct AuditBudgetTests {
    private func withLog(cap: Int64, _ body: (Database) throws -> Void) throws {
        for kind in DatabaseKind.allCases {
            try withDatabase(kind) { (database) throws in
                try Migrator().migrate(database, now: 0)
                try database.write { try AuditLogRepository($0).setUnauthenticatedCap(cap) }
                try body(database)
            }
        }
    }

    /// Appends `event` at `now` with `detail`, in a transaction of its own as a refusal is.
    private func append(_ database: Database, _ event: AuditEvent, now: Int64, detail: String) throws {
        _ = try database.write { try AuditLogRepository($0).append(event, now: now, detail: detail) }
    }

    private func stored(_ database: Database) throws -> [String] {
        try database.read { connection in
            try connection.query("SELECT event, detail FROM audit_log ORDER BY id").map { row in
                "\(try row.string("event")) \(try row.string("detail"))"
            }
        }
    }

    private func budget(_ database: Database) throws -> (used: Int64, cap: Int64) {
        try database.read { try AuditLogRepository($0).unauthenticatedBudget() }
    }

    /// Seven kinds share a cap of 12: two each (rounded up).
    @Test func pastItsShareEachAttemptRemovesTheOldestOfItsKindAndNothingElse() throws {
        try withLog(cap: 12) { database in
            try append(database, .signInSucceeded, now: 1, detail: "a sign-in")
            try append(database, .passwordFailed, now: 2, detail: "guess 1")
            try append(database, .signInRefused, now: 3, detail: "callback 1")
            try append(database, .userCreated, now: 4, detail: "an operator's change")
            try append(database, .passwordFailed, now: 5, detail: "guess 2")
            try append(database, .passwordFailed, now: 6, detail: "guess 3")
            #expect(try stored(database) == [
                "sign_in.success a sign-in", "sign_in.refused callback 1", "user.created an operator's change",
                "login.failed guess 2", "login.failed guess 3",
            ])
            #expect(try budget(database) == (used: 3, cap: 12))
        }
    }

    /// Review finding: with one shared count, a flood of identification steps (which are not
    /// throttled) pushed out the trail of an attacker's own password guesses.
    @Test func aFloodOfOneKindNeverPushesOutAnother() throws {
        try withLog(cap: 12) { database in
            try append(database, .passwordFailed, now: 1, detail: "guess 1")
            try append(database, .apiAuthenticationFailed, now: 2, detail: "token 1")
            for step in 1...50 { try append(database, .identificationStep, now: 3, detail: "step \(step)") }
            #expect(try stored(database) == ["login.failed guess 1", "api.authentication_failed token 1", "login.identified step 49", "login.identified step 50"])
            let kinds = try database.read { try AuditLogRepository($0).unauthenticatedKinds() }
            #expect(kinds.share == 2 && kinds.used[.identificationStep] == 2 && kinds.used[.passwordFailed] == 1)
        }
    }

    @Test func everyListedEventCountsAndNoOtherDoes() throws {
        let unauthenticated: Set<AuditEvent> = [
            .signInRefused, .passwordFailed, .passwordRateLimited, .identificationStep, .apiAuthenticationFailed,
            .apiAuthenticationRateLimited, .backChannelLogoutUnmatched,
        ]
        try withLog(cap: 1_000) { database in
            for event in AuditEvent.allCases {
                let before = try budget(database).used
                try append(database, event, now: 1, detail: event.rawValue)
                #expect(try budget(database).used == before + (unauthenticated.contains(event) ? 1 : 0), "\(event.rawValue)")
            }
        }
    }

    @Test func retentionAndALoweredCapKeepTheCountTrue() throws {
        try withLog(cap: 60) { database in  // nine each
            for attempt in 1...6 { try append(database, .passwordFailed, now: Int64(attempt), detail: "attempt \(attempt)") }
            try append(database, .signInSucceeded, now: 2, detail: "a sign-in")
            _ = try database.write { try AuditLogRepository($0).deleteOlder(than: 3, limit: 100) }
            #expect(try budget(database).used == 4, "attempts 1 and 2 went with retention")
            #expect(try stored(database).count == 4, "the sign-in at 2 went too")

            try database.write { try AuditLogRepository($0).setUnauthenticatedCap(7) }  // one each
            #expect(try database.write { try AuditLogRepository($0).trimUnauthenticated(limit: 2) } == 2, "at most the limit at once")
            #expect(try database.write { try AuditLogRepository($0).trimUnauthenticated(limit: 10) } == 1)
            #expect(try stored(database) == ["login.failed attempt 6"])
            #expect(try budget(database) == (used: 1, cap: 7))
        }
    }
}
