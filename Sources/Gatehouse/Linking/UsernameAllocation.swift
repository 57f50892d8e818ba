import Crypto
import Store

/// Picks a free username for a user created at a first sign-in: a trusted username claim as it
/// is, else the claim or the email's local part reduced to a plain handle, else "user"; made
/// unique with a number.
///
/// "Free" means no user's username has the same confusable skeleton (case, width and look-alike
/// characters aside), the rule every creation obeys. A name from an untrusted claim never takes a
/// reserved name (`ReservedUsernames`). Trust in the name (`username_verified`) comes from the
/// provider's policy, and survives only if the stored name is the claim itself.
struct UsernameAllocation {
    let users: UserRepository
    let reserved: ReservedUsernames

    func available(preferred: String?, trusted: Bool, email: String?, issuer: String, subject: String) throws -> String {
        if trusted, let preferred, UsernameRules.problem(with: preferred) == nil, try users.isUsernameFree(preferred) {
            return preferred
        }
        let base = [preferred, email.flatMap { $0.split(separator: "@").first.map(String.init) }]
            .compactMap { $0.map(Self.sanitized) }
            .first { !$0.isEmpty && !reserved.contains($0) } ?? "user"
        if try isFree(base) { return base }
        for suffix in 2...1000 {
            let candidate = "\(base)-\(suffix)"
            if try isFree(candidate) { return candidate }
        }
        // A thousand people with one name: fall back on the identity's digest, unique per identity.
        let digest = Digest.sha256(Array((issuer + "\n" + subject).utf8))
        return "\(base)-" + Digest.hex(digest.prefix(6))
    }

    private func isFree(_ name: String) throws -> Bool {
        guard !reserved.contains(name) else { return false }
        return try users.isUsernameFree(name)
    }

    /// Letters, digits and `.`, `_`, `-`, `@` kept (ASCII, lower-cased), at most 64 of them.
    /// Whole characters that are not ASCII go first, then ASCII is lower-cased: Unicode case
    /// mapping would turn the Kelvin sign into `k`, and keeping the ASCII part of a character
    /// would turn a decomposed `ȧ` into `a`, a look-alike made into the letter it imitates.
    static func sanitized(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
        return String(text.filter(\.isASCII).lowercased().filter { allowed.contains($0) }.prefix(64))
    }
}
