import Testing
@testable import Accounts
import MatchingKeys

@Suite("Reading claims: email_verified, normalisation, domains, incoming identities")
struct ClaimInterpretationTests {
    struct VerifiedRow: Sendable, CustomTestStringConvertible {
        let value: ClaimValue?
        let strict: Bool
        let withStrings: Bool
        let reason: String
        var testDescription: String { reason }
    }

    static let verifiedRows: [VerifiedRow] = [
        VerifiedRow(value: .bool(true), strict: true, withStrings: true, reason: "JSON true is verified"),
        VerifiedRow(value: .bool(false), strict: false, withStrings: false, reason: "JSON false is not"),
        VerifiedRow(value: .string("true"), strict: false, withStrings: true, reason: "the string counts only when strings are on"),
        VerifiedRow(value: .string("false"), strict: false, withStrings: false, reason: "the string false never counts"),
        VerifiedRow(value: .string("TRUE"), strict: false, withStrings: false, reason: "exact string only: no case guessing"),
        VerifiedRow(value: .string(" true"), strict: false, withStrings: false, reason: "exact string only: no trimming"),
        VerifiedRow(value: .string("1"), strict: false, withStrings: false, reason: "a digit string is not true"),
        VerifiedRow(value: nil, strict: false, withStrings: false, reason: "missing is not verified"),
        VerifiedRow(value: .null, strict: false, withStrings: false, reason: "null is not verified"),
        VerifiedRow(value: .number("1"), strict: false, withStrings: false, reason: "the number 1 is seed 001's type confusion"),
        VerifiedRow(value: .other, strict: false, withStrings: false, reason: "an array or object is not verified"),
    ]

    @Test("email_verified is true only for JSON true, or \"true\" with strings on", arguments: verifiedRows)
    func emailVerified(row: VerifiedRow) {
        #expect(EmailVerification.interpret(row.value, acceptStrings: false) == row.strict, "\(row.reason)")
        #expect(EmailVerification.interpret(row.value, acceptStrings: true) == row.withStrings, "\(row.reason)")
    }

    @Test("Incoming attributes carry their matching keys, computed once by MatchingKey")
    func attributeKeys() {
        let identity = Fixture.identity(claims: ["email": .string("  Alice@Example.COM\t"), "email_verified": .bool(true),
                                                 "preferred_username": .string(" Alice ")])
        let seen = IncomingAttributes(identity: identity, policy: ProviderPolicy())
        #expect(seen.emailKey == "alice@example.com")
        #expect(seen.usernameKey == "alice")
        #expect(seen.verifiedEmailKey == "alice@example.com")
        let dotless = IncomingAttributes(identity: Fixture.identity(claims: ["email": .string("admin@gıthub.com")]), policy: ProviderPolicy())
        #expect(dotless.emailKey == "admin@xn--gthub-n4a.com", "gıthub.com is its own domain, never github.com")
        #expect(dotless.verifiedEmailKey == nil, "an unverified email has no key that may decide anything")
        let blank = IncomingAttributes(identity: Fixture.identity(claims: ["email": .string("   ")]), policy: ProviderPolicy())
        #expect(blank.email == nil && blank.emailKey == nil, "blank is no email")
    }

    struct DomainRow: Sendable, CustomTestStringConvertible {
        let email: String?
        let allowed: [String]
        let expected: Bool
        let reason: String
        var testDescription: String { reason }
    }

    static let domainRows: [DomainRow] = [
        DomainRow(email: "a@example.com", allowed: [], expected: true, reason: "an empty list allows any address"),
        DomainRow(email: nil, allowed: [], expected: true, reason: "an empty list allows even no address"),
        DomainRow(email: "a@example.com", allowed: ["example.com"], expected: true, reason: "exact domain"),
        DomainRow(email: " A@EXAMPLE.com ", allowed: [" Example.COM"], expected: true, reason: "both sides by their keys"),
        DomainRow(email: "a@gıthub.com", allowed: ["github.com"], expected: false, reason: "dotless ı: another registrable domain"),
        DomainRow(email: "a@ｇｉｔｈｕｂ.com", allowed: ["github.com"], expected: true, reason: "fullwidth letters are the ASCII domain"),
        DomainRow(email: "a@mail.example.com", allowed: ["example.com"], expected: false, reason: "a subdomain is another domain"),
        DomainRow(email: "a@example.com.evil.test", allowed: ["example.com"], expected: false, reason: "no suffix or prefix match"),
        DomainRow(email: "a@evil.test@example.com", allowed: ["evil.test"], expected: false, reason: "the domain follows the last @"),
        DomainRow(email: "a@example.com", allowed: ["other.org", "example.com"], expected: true, reason: "any listed domain"),
        DomainRow(email: "example.com", allowed: ["example.com"], expected: false, reason: "no @: no domain"),
        DomainRow(email: "@example.com", allowed: ["example.com"], expected: false, reason: "no local part"),
        DomainRow(email: "a@", allowed: [""], expected: false, reason: "an empty domain never matches"),
        DomainRow(email: nil, allowed: ["example.com"], expected: false, reason: "no address is never allowed by a list"),
    ]

    @Test("allowed_email_domains is an exact match of domain keys", arguments: domainRows)
    func domains(row: DomainRow) {
        let key = row.email.flatMap(MatchingKey.email)
        #expect(EmailDomainAllowList(row.allowed).allows(emailKey: key) == row.expected, "\(row.reason)")
    }

    /// Review finding: a directory's uniqueness value past 255 bytes (or a binary one past 127,
    /// which becomes hex) reached the store and failed the sign-in's insert on its CHECK. It is
    /// refused as an identity, as the OIDC layer refuses such a `sub`.
    @Test("A subject is at most 255 bytes, as the store keeps it")
    func subjectLength() throws {
        let longest = String(repeating: "é", count: 127) + "x"  // 255 bytes
        #expect(try IncomingIdentity(provider: "corp", issuer: "https://idp.example.com", subject: longest, claims: [:]).subject == longest)
        #expect(throws: IncomingIdentityError(code: .subjectTooLong)) {
            try IncomingIdentity(provider: "corp", issuer: "https://idp.example.com", subject: longest + "x", claims: [:])
        }
    }

    @Test("An incoming identity needs a provider, an issuer and a subject")
    func incomingIdentityKey() {
        #expect(throws: IncomingIdentityError(code: .emptySubject)) {
            try IncomingIdentity(provider: "corp", issuer: "https://idp.example.com", subject: "", claims: [:])
        }
        #expect(throws: IncomingIdentityError(code: .emptyIssuer)) {
            try IncomingIdentity(provider: "corp", issuer: "", subject: "s", claims: [:])
        }
        #expect(throws: IncomingIdentityError(code: .emptyProvider)) {
            try IncomingIdentity(provider: "", issuer: "https://idp.example.com", subject: "s", claims: [:])
        }
    }

    @Test("Attributes: only strings count; a custom email claim is verified by trust, not by email_verified")
    func attributes() {
        let standard = Fixture.identity(claims: ["email": .string("a@example.com"), "email_verified": .bool(true),
                                                 "preferred_username": .bool(true)])
        let seen = IncomingAttributes(identity: standard, policy: ProviderPolicy())
        #expect(seen.email == "a@example.com" && seen.emailVerified)
        #expect(seen.username == nil, "a non-string username is no username")

        let notString = Fixture.identity(claims: ["email": .other, "email_verified": .bool(true)])
        #expect(IncomingAttributes(identity: notString, policy: ProviderPolicy()).emailVerified == false,
                "verified applies to an email, and there is none")

        let upn = Fixture.identity(claims: ["upn": .string("a@example.com"), "email_verified": .bool(false)])
        #expect(IncomingAttributes(identity: upn, policy: ProviderPolicy(emailClaim: "upn", emailClaimTrusted: true)).emailVerified)
        let untrustedUpn = Fixture.identity(claims: ["upn": .string("a@example.com"), "email_verified": .bool(true)])
        #expect(!IncomingAttributes(identity: untrustedUpn, policy: ProviderPolicy(emailClaim: "upn")).emailVerified,
                "email_verified speaks of the email claim, not of upn")

        let trustedName = IncomingAttributes(identity: standard, policy: ProviderPolicy(usernameClaimTrusted: true))
        #expect(!trustedName.usernameVerified, "trust needs a username to apply to")
    }
}
