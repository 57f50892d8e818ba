import JOSE
import Testing
@testable import OIDC

@Suite("ID token claim set")
struct IDTokenClaimSetTests {
    static let names = ["iss", "sub", "aud", "azp", "exp", "iat", "nbf", "nonce", "auth_time", "email", "email_verified", "name", "preferred_username", "sid", "jti", "events"]

    static func claims(_ set: IDTokenClaimSet) -> [JSONValue?] {
        [set.issuer, set.subject, set.audience, set.authorizedParty, set.expiry, set.issuedAt, set.notBefore, set.nonce,
         set.authTime, set.email, set.emailVerified, set.name, set.preferredUsername, set.sessionID, set.tokenID, set.events]
    }

    @Test("each claim is read from its exact name, wherever it sits among the members")
    func exactNames() {
        let members = [JSONObjectMember(name: "extra", value: .null)]
            + Self.names.enumerated().map { JSONObjectMember(name: $0.element, value: .number(String($0.offset))) }
        #expect(Self.claims(IDTokenClaimSet(members: members)) == Self.names.indices.map { .number(String($0)) })
    }

    /// Names are matched by their bytes: a near miss is some other member, never the claim.
    @Test("near misses of a claim name are not the claim", arguments: [
        ("ISS", "upper case"), ("iss ", "trailing space"), ("is", "a prefix"), ("isss", "one letter more"),
        ("\u{0456}ss", "a Cyrillic i"), ("nonc\u{0065}\u{0301}", "a combining accent"), ("emailverified", "no underscore"),
        ("event", "a logout claim's prefix"), ("Sid", "a capital"),
    ])
    func nearMisses(_ name: String, _ reason: String) {
        let set = IDTokenClaimSet(members: [JSONObjectMember(name: name, value: .string("x"))])
        #expect(Self.claims(set).allSatisfy { $0 == nil }, "\(reason)")
    }
}

/// Google's `hd` rule compares domains by their key (`MatchingKey.domain`), not by folding.
@Suite("Hosted domain")
struct HostedDomainPolicyTests {
    @Test("hd is compared with the configured domains by domain key", arguments: [
        ("corp.example", true), ("CORP.Example", true), ("corp.example.", false), ("other.example", false),
        ("corp.ex\u{0430}mple", false), ("xn--bcher-kva.example", true), ("", false),
    ])
    func compared(_ hd: String, _ accepted: Bool) {
        let policy = HostedDomainPolicy(allowed: ["corp.example", "bücher.example"])
        let claims = IDTokenClaimSet(members: [JSONObjectMember(name: "hd", value: .string(hd))])
        let passed = (try? policy.check(claims)) != nil
        #expect(passed == accepted, "\(hd)")
    }
}
