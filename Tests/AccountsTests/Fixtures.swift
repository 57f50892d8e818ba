@testable import Accounts
import MatchingKeys

/// Shared names of the scenarios: one provider, one issuer, Alice and her claims.
enum Fixture {
    static let provider = "corp"
    static let issuer = "https://idp.example.com"
    static let oldIssuer = "https://old-idp.example.com"
    static let subject = "sub-alice"
    static let otherSubject = "sub-alice-elsewhere"
    static let email = "Alice@Example.com "
    static let username = "alice"

    /// An incoming identity for this provider; the fixture values are never empty.
    static func identity(
        issuer: String = Fixture.issuer, subject: String = Fixture.subject, claims: [String: ClaimValue]
    ) -> IncomingIdentity {
        do {
            return try IncomingIdentity(provider: provider, issuer: issuer, subject: subject, claims: claims)
        } catch {
            fatalError("fixture identity is invalid: \(error)")
        }
    }

    /// Alice's claims with the given `email_verified` (nil leaves the claim out).
    static func claims(emailVerified: ClaimValue?, email: String = Fixture.email) -> [String: ClaimValue] {
        var claims: [String: ClaimValue] = ["email": .string(email), "preferred_username": .string(username)]
        claims["email_verified"] = emailVerified
        return claims
    }

    /// A user as the store would hold it: keys computed by `MatchingKey`, as every write does.
    /// `emailVerified` means verified by an administrator, whom every policy accepts;
    /// `verifiedBy` names another verifier.
    static func user(
        id: Int64, email: String? = "alice@example.com", emailVerified: Bool = true, verifiedBy: EmailVerifier? = nil,
        username: String = Fixture.username, usernameVerified: Bool = true, usernameVerifiedBy: EmailVerifier? = nil, isActive: Bool = true
    ) -> KnownUser {
        KnownUser(id: id, isActive: isActive, email: email, emailKey: email.flatMap(MatchingKey.email),
                  emailVerifiedBy: verifiedBy ?? (emailVerified ? .administrator : nil),
                  username: username, usernameKey: MatchingKey.username(username),
                  usernameVerifiedBy: usernameVerifiedBy ?? (usernameVerified ? .administrator : nil))
    }

    static func knownIdentity(
        id: Int64, provider: String = Fixture.provider, issuer: String = Fixture.issuer, subject: String
    ) -> KnownIdentity {
        KnownIdentity(id: id, provider: provider, issuer: issuer, subject: subject)
    }
}
