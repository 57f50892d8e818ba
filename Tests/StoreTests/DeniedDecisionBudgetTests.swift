import Accounts
import Store
import Testing

/// Migration 0018: denied link decisions, which anyone whose provider account is refused can
/// cause, are kept to the unauthenticated cap, each deny reason to an equal share of it; a flood of
/// one reason never removes a deny of another reason, nor any decision that signed someone in.
@Suite struct DeniedDecisionBudgetTests {
    private func withDecisions(cap: Int64, _ body: (Database) throws -> Void) throws {
        for kind in DatabaseKind.allCases {
            try withDatabase(kind) { (database) throws in
                try Migrator().migrate(database, now: 0)
                try database.write { try AuditLogRepository($0).setUnauthenticatedCap(cap) }
                try body(database)
            }
        }
    }

    /// Appends one decision for `subject` at `now`, in a transaction of its own as a sign-in's is:
    /// a deny when `reason` is given, else `decision` for user 7.
    private func append(_ database: Database, _ subject: String, now: Int64 = 1, deny reason: DenyCode? = nil, decision: String = "sign_in") throws {
        let entry = LinkDecisionEntry(
            provider: "dev", issuer: "https://idp.example", subject: subject, userID: reason == nil ? 7 : nil,
            decision: reason == nil ? decision : "deny", reason: reason?.rawValue, rule: "test", requestID: nil
        )
        _ = try database.write { try LinkDecisionRepository($0).append(entry, now: now) }
    }

    private func stored(_ database: Database) throws -> [String] {
        try database.read { connection in
            try connection.query("SELECT decision, subject FROM link_decisions ORDER BY id").map { row in
                "\(try row.string("decision")) \(try row.string("subject"))"
            }
        }
    }

    /// Twelve reasons share a cap of 24: two each.
    @Test func pastItsShareEachDenyRemovesTheOldestOfItsReasonAndNothingElse() throws {
        try withDecisions(cap: 24) { database in
            try append(database, "alice", decision: "create")
            try append(database, "gmail 1", deny: .domainNotAllowed)
            try append(database, "mallory", deny: .identityConflict)
            try append(database, "alice", decision: "sign_in")
            try append(database, "gmail 2", deny: .domainNotAllowed)
            try append(database, "gmail 3", deny: .domainNotAllowed)
            try append(database, "bob", decision: "link")
            #expect(try stored(database) == [
                "create alice", "deny mallory", "sign_in alice", "deny gmail 2", "deny gmail 3", "link bob",
            ])
            let budget = try database.read { try LinkDecisionRepository($0).deniedBudget() }
            #expect(budget.share == 2 && budget.used["domain_not_allowed"] == 2 && budget.used["identity_conflict"] == 1)
        }
    }

    /// Review finding: denies were bounded by retention alone, so a refused account could script
    /// sign-ins and grow the table without limit. A flood far past the cap leaves one share of its
    /// reason, the other reason's trail and every decision that signed someone in.
    @Test func aFloodOfDeniesStaysWithinTheCapAndKeepsEveryOtherDecision() throws {
        try withDecisions(cap: 12) { database in  // one each
            try append(database, "alice", decision: "create")
            try append(database, "mallory", deny: .ambiguousMatch)
            for attempt in 1...40 { try append(database, "gmail \(attempt)", deny: .domainNotAllowed) }
            try append(database, "alice", decision: "sign_in")
            #expect(try stored(database) == ["create alice", "deny mallory", "deny gmail 40", "sign_in alice"])
        }
    }

    /// Every reason the engine gives has its share from the start; a reason the list lacks (a code
    /// added without a migration) is counted at its first deny rather than left unbounded.
    @Test func everyDenyReasonIsListedAndAnUnlistedOneIsCountedToo() throws {
        try withDecisions(cap: 12) { database in
            let listed = try database.read { try LinkDecisionRepository($0).deniedBudget() }
            #expect(Set(listed.used.keys) == Set(DenyCode.allCases.map(\.rawValue)))
            #expect(listed.share == 1)
            for attempt in 1...3 {
                let entry = LinkDecisionEntry(
                    provider: "dev", issuer: "https://idp.example", subject: "s\(attempt)", userID: nil, decision: "deny",
                    reason: "a_future_reason", rule: "test", requestID: nil
                )
                _ = try database.write { try LinkDecisionRepository($0).append(entry, now: 1) }
            }
            let after = try database.read { try LinkDecisionRepository($0).deniedBudget() }
            #expect(after.used["a_future_reason"] == 1 && after.share == 1)
            #expect(try stored(database) == ["deny s3"])
        }
    }

    @Test func retentionAndALoweredCapKeepTheCountTrue() throws {
        try withDecisions(cap: 120) { database in  // ten each
            for attempt in 1...6 { try append(database, "gmail \(attempt)", now: Int64(attempt), deny: .domainNotAllowed) }
            try append(database, "mallory", now: 6, deny: .accountExists)
            try append(database, "alice", now: 2, decision: "create")
            _ = try database.write { try LinkDecisionRepository($0).deleteOlder(than: 3, limit: 100) }
            var budget = try database.read { try LinkDecisionRepository($0).deniedBudget() }
            #expect(budget.used["domain_not_allowed"] == 4, "denies 1 and 2 went with retention")
            #expect(try stored(database).count == 5, "the decision at 2 went too")

            try database.write { try AuditLogRepository($0).setUnauthenticatedCap(12) }  // one each
            #expect(try database.write { try LinkDecisionRepository($0).trimDenied(limit: 2) } == 2, "at most the limit at once")
            #expect(try database.write { try LinkDecisionRepository($0).trimDenied(limit: 10) } == 1)
            #expect(try stored(database) == ["deny gmail 6", "deny mallory"])
            budget = try database.read { try LinkDecisionRepository($0).deniedBudget() }
            #expect(budget.used["domain_not_allowed"] == 1 && budget.used["account_exists"] == 1 && budget.share == 1)
        }
    }
}
