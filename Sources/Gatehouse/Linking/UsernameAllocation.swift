import Crypto
import Store

/// Picks a free username for a user created at a first sign-in: the username claim, else the
/// email's local part, else "user"; made unique with a number.
///
/// It is only a handle. Trust in it (`username_verified`) comes from the provider's policy, and
/// survives only if the stored name compares equal to the trusted claim.
struct UsernameAllocation {
    let users: UserRepository

    func available(preferred: String?, email: String?, issuer: String, subject: String) throws -> String {
        let base = [preferred, email.flatMap { $0.split(separator: "@").first.map(String.init) }]
            .compactMap { $0.map(Self.sanitized) }
            .first { !$0.isEmpty } ?? "user"
        if try isFree(base) { return base }
        for suffix in 2...1000 {
            let candidate = "\(base)-\(suffix)"
            if try isFree(candidate) { return candidate }
        }
        // A thousand people with one name: fall back on the identity's digest, unique per identity.
        let digest = Digest.sha256(Array((issuer + "\n" + subject).utf8))
        return "\(base)-" + digest.prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// Free under both comparisons: the column's ASCII NOCASE uniqueness, and the case-folded
    /// key that username matching uses.
    private func isFree(_ name: String) throws -> Bool {
        try users.find(username: name) == nil && users.matching(username: name).isEmpty
    }

    /// Letters, digits and `.`, `_`, `-`, `@` kept (ASCII, lower-cased), at most 64 of them.
    static func sanitized(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
        return String(text.lowercased().filter { allowed.contains($0) }.prefix(64))
    }
}
