import Store
import Testing

/// Seed 004, the database half: the guard against the configurations that enabled account
/// takeovers is a CHECK constraint, so no code path (an admin API, a script, a later bug)
/// can store one. Config validation and the engine apply the same guard on their own.
@Suite("Provider policy constraints (seed 004)")
struct ProviderPolicyConstraintTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let mode: String
        let emailClaim: String
        let requireEmailVerified: Bool
        let emailClaimTrusted: Bool
        let usernameClaimTrusted: Bool
        let storable: Bool
        let reason: String
        var testDescription: String { reason }
    }

    static let guardTable: [Row] = [
        Row(mode: "email_link", emailClaim: "email", requireEmailVerified: true, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: true, reason: "email_link on a verified email claim: the safe default"),
        Row(mode: "email_link", emailClaim: "email", requireEmailVerified: false, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: false, reason: "seed 004 case B: email_link without requiring email_verified lets an attacker-asserted address link"),
        Row(mode: "email_link", emailClaim: "email", requireEmailVerified: false, emailClaimTrusted: true, usernameClaimTrusted: false,
            storable: false, reason: "trusting the standard email claim does not replace its verification"),
        Row(mode: "email_link", emailClaim: "upn", requireEmailVerified: true, emailClaimTrusted: true, usernameClaimTrusted: false,
            storable: true, reason: "a custom claim the administrator asserts is tenant-set (Entra ID upn)"),
        Row(mode: "email_link", emailClaim: "preferred_username", requireEmailVerified: true, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: false, reason: "seed 004's review: a custom claim users may set themselves is the same takeover"),
        Row(mode: "email_link", emailClaim: "upn", requireEmailVerified: false, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: false, reason: "seed 004 case C as relaxed upstream: untrusted custom claim, no verification at all"),
        Row(mode: "username_link", emailClaim: "email", requireEmailVerified: true, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: false, reason: "username_link on a username the user chose"),
        Row(mode: "username_link", emailClaim: "email", requireEmailVerified: true, emailClaimTrusted: false, usernameClaimTrusted: true,
            storable: true, reason: "username_link on a tenant-set username"),
        Row(mode: "identifier", emailClaim: "preferred_username", requireEmailVerified: false, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: true, reason: "identifier mode never links by claims, so the claim settings cannot hurt"),
        Row(mode: "email_deny", emailClaim: "email", requireEmailVerified: false, emailClaimTrusted: false, usernameClaimTrusted: false,
            storable: true, reason: "email_deny only refuses; it never links"),
    ]

    @Test(arguments: guardTable)
    func seed004_guardTable(_ row: Row) throws {
        try withDatabase(.file) { (database) throws in
            try Migrator().migrate(database, now: 0)
            let policy = StoredProviderPolicy(
                provider: "corp", issuer: "https://idp.example", userMatchingMode: row.mode, multipleIdentities: "deny",
                requireEmailVerified: row.requireEmailVerified, emailClaim: row.emailClaim, emailClaimTrusted: row.emailClaimTrusted,
                emailVerifiedStrings: false, usernameClaim: "preferred_username", usernameClaimTrusted: row.usernameClaimTrusted,
                signups: true, allowedEmailDomainsJSON: "[]"
            )
            let error = storeError { try database.write { try ProviderPolicyRepository($0).save(policy, now: 1) } }
            if row.storable {
                #expect(error == nil, "\(row.reason)")
            } else {
                #expect(error?.code == .checkViolation, "\(row.reason)")
            }
        }
    }

    @Test func aRefusedUpdateKeepsTheSafePolicy() throws {
        try withDatabase(.file) { (database) throws in
            try Migrator().migrate(database, now: 0)
            var policy = StoredProviderPolicy(
                provider: "corp", issuer: "https://idp.example", userMatchingMode: "email_link", multipleIdentities: "deny",
                requireEmailVerified: true, emailClaim: "email", emailClaimTrusted: false, emailVerifiedStrings: false,
                usernameClaim: "preferred_username", usernameClaimTrusted: false, signups: true, allowedEmailDomainsJSON: "[]"
            )
            try database.write { try ProviderPolicyRepository($0).save(policy, now: 1) }
            policy.requireEmailVerified = false
            #expect(storeError { try database.write { try ProviderPolicyRepository($0).save(policy, now: 2) } }?.code == .checkViolation)
            let stored = try database.read { try $0.queryOne("SELECT require_email_verified FROM provider_policies WHERE provider = 'corp'") }
            #expect(try stored?.bool("require_email_verified") == true)
        }
    }

    @Test func linkDecisionsRecordTheRuleAndOnlyDenialsCarryAReason() throws {
        try withDatabase(.memory) { (database) throws in
            try Migrator().migrate(database, now: 0)
            let entry = LinkDecisionEntry(
                provider: "corp", issuer: "https://idp.example", subject: "s", userID: nil, decision: "deny",
                reason: "identity_conflict", rule: "3.email_link.one_match.other_subject", requestID: "r1"
            )
            _ = try database.write { try LinkDecisionRepository($0).append(entry, now: 5) }
            #expect(try database.read { try LinkDecisionRepository($0).recent() } == [entry])
            var inconsistent = entry
            inconsistent.reason = nil
            #expect(storeError { _ = try database.write { try LinkDecisionRepository($0).append(inconsistent, now: 6) } }?.code == .checkViolation)
        }
    }
}
