import Store
import Testing

/// Migration 0015: entries of attempts anyone can make without authenticating are kept to a
/// count, by triggers, and a flood of them never removes any other entry.
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

    @Test func pastTheCapEachAttemptRemovesTheOldestAttemptAndNothingElse() throws {
        try withLog(cap: 2) { database in
            try append(database, .signInSucceeded, now: 1, detail: "a sign-in")
            try append(database, .passwordFailed, now: 2, detail: "attempt 1")
            try append(database, .signInRefused, now: 3, detail: "attempt 2")
            try append(database, .userCreated, now: 4, detail: "an operator's change")
            #expect(try budget(database).used == 2)
            try append(database, .apiAuthenticationFailed, now: 5, detail: "attempt 3")
            try append(database, .passwordRateLimited, now: 6, detail: "attempt 4")
            #expect(try stored(database) == [
                "sign_in.success a sign-in", "user.created an operator's change",
                "api.authentication_failed attempt 3", "login.rate_limited attempt 4",
            ])
            #expect(try budget(database) == (used: 2, cap: 2))
        }
    }

    @Test func everyListedEventCountsAndNoOtherDoes() throws {
        let unauthenticated: Set<AuditEvent> = [
            .signInRefused, .passwordFailed, .passwordRateLimited, .identificationStep, .apiAuthenticationFailed,
            .apiAuthenticationRateLimited,
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
        try withLog(cap: 10) { database in
            for attempt in 1...6 { try append(database, .passwordFailed, now: Int64(attempt), detail: "attempt \(attempt)") }
            try append(database, .signInSucceeded, now: 2, detail: "a sign-in")
            _ = try database.write { try AuditLogRepository($0).deleteOlder(than: 3) }
            #expect(try budget(database).used == 4, "attempts 1 and 2 went with retention")
            #expect(try stored(database).count == 4, "the sign-in at 2 went too")

            try database.write { try AuditLogRepository($0).setUnauthenticatedCap(1) }
            #expect(try database.write { try AuditLogRepository($0).trimUnauthenticated(limit: 2) } == 2, "at most the limit at once")
            #expect(try database.write { try AuditLogRepository($0).trimUnauthenticated(limit: 10) } == 1)
            #expect(try stored(database) == ["login.failed attempt 6"])
            #expect(try budget(database) == (used: 1, cap: 1))
        }
    }
}
