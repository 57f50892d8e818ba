import Foundation
import Testing
@testable import Gatehouse

/// The configuration half of seed 004's guard table: every row through `GatehouseConfig.parse`,
/// so an unsafe linking policy is an error at the key to change (with the sentence saying why)
/// and the server never starts with it. The engine and database halves live in AccountsTests
/// and StoreTests.
@Suite struct ProviderPolicyConfigTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let policyJSON: String
        /// The JSON path of the expected error, or nil when the row is allowed.
        let errorPath: String?
        /// The path of the expected warning, if any.
        let warningPath: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "A: email claim, verified required, email_link: allowed",
            policyJSON: #""user_matching_mode": "email_link", "require_email_verified": true"#, errorPath: nil, warningPath: nil),
        Row(name: "B: email claim, verified not required, email_link: refused",
            policyJSON: #""user_matching_mode": "email_link", "require_email_verified": false"#,
            errorPath: "$.providers[0].require_email_verified", warningPath: nil),
        Row(name: "C: preferred_username as email, trusted: allowed with a warning",
            policyJSON: #""user_matching_mode": "email_link", "email_claim": "preferred_username", "email_claim_trusted": true"#,
            errorPath: nil, warningPath: "$.providers[0].email_claim_trusted"),
        Row(name: "C: upn, verified not required, trusted: allowed with a warning",
            policyJSON: #""user_matching_mode": "email_link", "email_claim": "upn", "email_claim_trusted": true, "require_email_verified": false"#,
            errorPath: nil, warningPath: "$.providers[0].email_claim_trusted"),
        Row(name: "C: custom claim not trusted: refused",
            policyJSON: #""user_matching_mode": "email_link", "email_claim": "preferred_username""#,
            errorPath: "$.providers[0].email_claim_trusted", warningPath: nil),
        Row(name: "username_link on an untrusted claim: refused",
            policyJSON: #""user_matching_mode": "username_link""#, errorPath: "$.providers[0].username_claim_trusted", warningPath: nil),
        Row(name: "username_link on a trusted claim: allowed with a warning",
            policyJSON: #""user_matching_mode": "username_link", "username_claim_trusted": true"#,
            errorPath: nil, warningPath: "$.providers[0].username_claim_trusted"),
        Row(name: "email_deny without verification: allowed (it never links)",
            policyJSON: #""user_matching_mode": "email_deny", "require_email_verified": false"#, errorPath: nil, warningPath: nil),
    ]

    static func parse(_ policyJSON: String) -> Result<GatehouseConfig, ConfigErrors> {
        let json = """
            {"server": {"listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080"},
             "providers": [{"slug": "dev", "name": "Dev", "issuer": "http://127.0.0.1:9400", "client_id": "c",
                            "client_secret": "s", \(policyJSON)}]}
            """
        return GatehouseConfig.parse(data: Data(json.utf8), environment: [:])
    }

    @Test(arguments: rows)
    func seed004_guardTable_inConfigValidation(_ row: Row) throws {
        switch Self.parse(row.policyJSON) {
        case .success(let config):
            #expect(row.errorPath == nil, "the unsafe policy was accepted")
            #expect(config.warnings.map(\.path) == (row.warningPath.map { [$0] } ?? []))
            #expect(config.providers.first?.policy.guardViolations().isEmpty == true)
        case .failure(let errors):
            let path = try #require(row.errorPath, "a safe policy was refused: \(errors)")
            #expect(errors.problems.map(\.path) == [path])
            // The sentence names the takeover, not only the rule.
            #expect(errors.problems.first?.message.contains("account") == true)
        }
    }

    @Test func theDefaultsAreTheSafeOnes() throws {
        let config = try Self.parse(#""signups": true"#).get()
        let policy = try #require(config.providers.first?.policy)
        #expect(policy.userMatchingMode == .identifier)
        #expect(policy.multipleIdentities == .deny)
        #expect(policy.requireEmailVerified)
        #expect(policy.emailClaim == "email")
        #expect(!policy.emailClaimTrusted && !policy.emailVerifiedStrings && !policy.usernameClaimTrusted)
        #expect(policy.usernameClaim == "preferred_username")
        #expect(policy.allowedEmailDomains.isEmpty)
    }

    @Test(arguments: [
        (#""user_matching_mode": "email""#, "$.providers[0].user_matching_mode"),
        (#""multiple_identities": true"#, "$.providers[0].multiple_identities"),
        (#""allowed_email_domains": ["@example.com"]"#, "$.providers[0].allowed_email_domains[0]"),
        (#""email_claim": """#, "$.providers[0].email_claim"),
    ])
    func badValuesAreErrorsAtTheirPath(json: String, path: String) throws {
        guard case .failure(let errors) = Self.parse(json) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(errors.problems.map(\.path) == [path])
    }

    @Test func allowedDomainsAreKeptNormalised() throws {
        let config = try Self.parse(#""allowed_email_domains": ["Example.COM"]"#).get()
        #expect(config.providers.first?.policy.allowedEmailDomains == ["example.com"])
    }
}

/// The third layer: even a policy that never went through config validation cannot be stored,
/// and `recordConfiguration` (run before serving) fails, so the server does not start.
@Suite struct StoredPolicyGuardTests {
    @Test func seed004_guardTable_anUnsafePolicyCannotBeRecordedAtStart() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try migratedDatabase(in: directory)
        defer { database.close() }
        var config = try ProviderPolicyConfigTests.parse(#""user_matching_mode": "email_link""#).get()
        try PolicyRecording.record(config.providers, database: database, now: 1)
        config.providers[0].policy.requireEmailVerified = false
        #expect(throws: (any Error).self) { try PolicyRecording.record(config.providers, database: database, now: 2) }
        let stored = try database.read { try $0.queryOne("SELECT require_email_verified, updated_at FROM provider_policies") }
        #expect(try stored?.int("require_email_verified") == 1, "the safe row is left as it was")
        #expect(try stored?.int("updated_at") == 1)
    }
}
