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
