import Testing
@testable import Accounts

@Suite("Provider policy guard and warnings")
struct PolicyGuardTests {
    @Test("Defaults are the safe ones of issue 4 section 2")
    func defaults() {
        let policy = ProviderPolicy()
        #expect(policy.userMatchingMode == .identifier)
        #expect(policy.multipleIdentities == .deny)
        #expect(policy.requireEmailVerified)
        #expect(policy.emailClaim == "email")
        #expect(!policy.emailClaimTrusted)
        #expect(!policy.emailVerifiedStrings)
        #expect(policy.usernameClaim == "preferred_username")
        #expect(!policy.usernameClaimTrusted)
        #expect(policy.signups)
        #expect(policy.allowedEmailDomains.isEmpty)
        #expect(policy.guardViolations().isEmpty)
        #expect(policy.warnings().isEmpty)
    }

    @Test("Raw values are the config strings")
    func rawValues() {
        #expect(UserMatchingMode.allCases.map(\.rawValue) == ["identifier", "email_link", "email_deny", "username_link", "username_deny"])
        #expect(MultipleIdentities.allCases.map(\.rawValue) == ["deny", "allow"])
    }

    struct GuardRow: Sendable, CustomTestStringConvertible {
        let reason: String
        let policy: ProviderPolicy
        let violations: [(key: String, code: PolicyGuardViolation.Code)]
        var testDescription: String { reason }
    }

    static let guardRows: [GuardRow] = [
        GuardRow(reason: "identifier links nothing: any email setting is safe",
                 policy: ProviderPolicy(userMatchingMode: .identifier, requireEmailVerified: false), violations: []),
        GuardRow(reason: "email_deny only refuses: an unverified email can do no harm",
                 policy: ProviderPolicy(userMatchingMode: .emailDeny, requireEmailVerified: false), violations: []),
        GuardRow(reason: "username_deny only refuses: an untrusted username can do no harm",
                 policy: ProviderPolicy(userMatchingMode: .usernameDeny), violations: []),
        GuardRow(reason: "email_link on a verified standard email is the safe default",
                 policy: ProviderPolicy(userMatchingMode: .emailLink), violations: []),
        GuardRow(reason: "email_link on an unverified standard email is seed 004's Fall B takeover",
                 policy: ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: false),
                 violations: [("require_email_verified", .emailLinkRequiresVerifiedEmail)]),
        GuardRow(reason: "email_link on a custom claim nobody vouches for: users may type any address",
                 policy: ProviderPolicy(userMatchingMode: .emailLink, emailClaim: "upn"),
                 violations: [("email_claim_trusted", .emailLinkRequiresTrustedClaim)]),
        GuardRow(reason: "trusting the standard email claim does not replace email_verified",
                 policy: ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: false, emailClaimTrusted: true),
                 violations: [("require_email_verified", .emailLinkRequiresVerifiedEmail)]),
        GuardRow(reason: "email_link on a trusted custom claim is seed 004's Entra ID case",
                 policy: ProviderPolicy(userMatchingMode: .emailLink, requireEmailVerified: false, emailClaim: "upn", emailClaimTrusted: true),
                 violations: []),
        GuardRow(reason: "username_link on an untrusted username: anyone may pick another's name",
                 policy: ProviderPolicy(userMatchingMode: .usernameLink),
                 violations: [("username_claim_trusted", .usernameLinkRequiresTrustedClaim)]),
        GuardRow(reason: "username_link on a trusted username",
                 policy: ProviderPolicy(userMatchingMode: .usernameLink, usernameClaimTrusted: true), violations: []),
    ]

    @Test("Guard table", arguments: guardRows)
    func guardTable(row: GuardRow) {
        let violations = row.policy.guardViolations()
        #expect(violations.map(\.key) == row.violations.map(\.key), "\(row.reason)")
        #expect(violations.map(\.code) == row.violations.map(\.code), "\(row.reason)")
        for violation in violations {
            #expect(violation.reason.contains(" account"), "the sentence names the takeover: \(violation.reason)")
        }
    }

    @Test("A trusted custom email claim warns that the provider's administrator must set it")
    func warningForTrustedCustomEmailClaim() {
        let policy = ProviderPolicy(userMatchingMode: .emailLink, emailClaim: "upn", emailClaimTrusted: true)
        let warnings = policy.warnings()
        #expect(warnings.map(\.code) == [.trustedCustomEmailClaim])
        #expect(warnings.first?.key == "email_claim_trusted")
        #expect(warnings.first?.message.contains("administrator, not the user") == true)
    }

    @Test("A trusted username claim warns as well; a trusted standard email claim does not")
    func warningForTrustedUsername() {
        #expect(ProviderPolicy(usernameClaimTrusted: true).warnings().map(\.code) == [.trustedUsernameClaim])
        #expect(ProviderPolicy(emailClaimTrusted: true).warnings().isEmpty)
    }
}
