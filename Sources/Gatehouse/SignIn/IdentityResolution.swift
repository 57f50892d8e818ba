import Crypto
import Store

/// What a verified sign-in tells Gatehouse about the person, after the ID token and userinfo
/// checks. `emailVerified` is true only for a JSON `true`: anything else is not verified.
struct VerifiedIdentity: Sendable, Equatable {
    let provider: String
    let issuer: String
    let subject: String
    let email: String?
    let emailVerified: Bool
    let name: String?
    let preferredUsername: String?
    /// The merged claims as a JSON object text, kept as the identity's snapshot.
    let claimsJSON: String
}

/// The minimal linking rule until provider policies arrive: an identity is found by
/// (provider, issuer, subject); the first time, a user and the link are created together.
/// Nothing is ever matched by e-mail or username here.
enum IdentityResolution {
    struct Outcome: Sendable, Equatable {
        let user: UserRecord
        let identity: IdentityRecord
        let created: Bool
    }

    /// Runs inside the caller's write transaction, so the user, the link and the audit entry
    /// land together or not at all. Two first sign-ins racing for one identity cannot both
    /// create a user: writes are serialized, and the loser finds the winner's link.
    static func resolve(_ identity: VerifiedIdentity, connection: Connection, now: Int64) throws -> Result<Outcome, SignInFailure> {
        let identities = IdentityRepository(connection)
        let users = UserRepository(connection)
        let snapshot = IdentitySnapshot(email: identity.email, emailVerified: identity.emailVerified, claims: identity.claimsJSON)
        if let existing = try identities.find(provider: identity.provider, issuer: identity.issuer, subject: identity.subject) {
            guard let user = try users.find(id: existing.userID), user.isActive else { return .failure(.userInactive) }
            try identities.recordSignIn(id: existing.id, snapshot: snapshot, now: now)
            let refreshed = try identities.find(id: existing.id) ?? existing
            return .success(Outcome(user: user, identity: refreshed, created: false))
        }
        let username = try availableUsername(for: identity, users: users)
        let user = try users.create(
            username: username, email: identity.email, emailVerified: identity.email != nil && identity.emailVerified,
            displayName: identity.name, now: now
        )
        let link = try identities.create(
            userID: user.id, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
            snapshot: snapshot, method: .provisioned, now: now
        )
        return .success(Outcome(user: user, identity: link, created: true))
    }

    /// A username for a new user: the provider's `preferred_username`, else the e-mail's local
    /// part, else "user"; made unique with a number. It is only a handle: no trust is ever
    /// derived from it, since the person chose it at their provider.
    static func availableUsername(for identity: VerifiedIdentity, users: UserRepository) throws -> String {
        let base = [identity.preferredUsername, identity.email.flatMap { $0.split(separator: "@").first.map(String.init) }]
            .compactMap { $0.map(sanitized) }
            .first { !$0.isEmpty } ?? "user"
        if try users.find(username: base) == nil { return base }
        for suffix in 2...1000 {
            let candidate = "\(base)-\(suffix)"
            if try users.find(username: candidate) == nil { return candidate }
        }
        // A thousand people with one name: fall back on the subject's digest, unique per identity.
        let digest = Digest.sha256(Array((identity.issuer + "\n" + identity.subject).utf8))
        return "\(base)-" + digest.prefix(6).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Letters, digits and `.`, `_`, `-`, `@` kept (ASCII, lower-cased), at most 64 of them.
    static func sanitized(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
        return String(text.lowercased().filter { allowed.contains($0) }.prefix(64))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
