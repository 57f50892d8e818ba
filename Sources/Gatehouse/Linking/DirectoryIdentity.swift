import Accounts
import Directory
import JOSE

/// The one rule from a directory entry to what the linking engine sees, shared by sign-in by
/// bind and synchronisation: the identity is keyed by (directory slug, the directory's
/// issuer, the uniqueness attribute's canonical text), never by DN or username, so a person
/// renamed or moved keeps their account and a re-created entry is a new identity.
///
/// The claims are the provider vocabulary the policy reads: `preferred_username` from the
/// username attribute, `email` from the mail attribute with `email_verified` true only when the
/// operator declared it administrator-controlled (`email_trusted`), `name`, and the DN.
enum DirectoryIdentity {
    /// The attributes every lookup asks for.
    static func attributes(_ config: DirectoryConfig) -> [String] {
        var names = [config.uniquenessAttribute, config.usernameAttribute, config.emailAttribute, config.displayNameAttribute]
            + config.loginAttributes
        if config.membership == .memberOf { names.append("memberOf") }
        if config.preset == .activeDirectory { names.append("userAccountControl") }
        var seen: Set<String> = []
        return names.filter { seen.insert($0.lowercased()).inserted }
    }

    /// The verified sign-in an entry stands for; nil when it has no uniqueness value (such an
    /// entry can never be told apart from its successor, so it never signs in) or one longer than
    /// a subject may be (`IncomingIdentity.maximumSubjectBytes`); `whyNoSignIn` says which.
    static func verifiedSignIn(_ entry: DirectoryEntry, config: DirectoryConfig) -> AccountLinking.VerifiedSignIn? {
        guard let subject = subject(of: entry, config: config) else { return nil }
        var claims: [String: ClaimValue] = [:]
        var json: [String: JOSE.JSONValue] = ["dn": .string(entry.dn)]
        if let username = entry.string(config.usernameAttribute) {
            claims["preferred_username"] = .string(username)
            json["preferred_username"] = .string(username)
        }
        if let mail = entry.string(config.emailAttribute) {
            claims["email"] = .string(mail)
            claims["email_verified"] = .bool(config.emailTrusted)
            json["email"] = .string(mail)
            json["email_verified"] = .bool(config.emailTrusted)
        }
        let name = entry.string(config.displayNameAttribute)
        if let name { json["name"] = .string(name) }
        guard let identity = try? IncomingIdentity(provider: config.slug, issuer: config.issuer, subject: subject, claims: claims) else {
            return nil
        }
        let text = String(decoding: (try? JOSE.JSONValue.object(json).serialized()) ?? Array("{}".utf8), as: UTF8.self)
        return AccountLinking.VerifiedSignIn(identity: identity, claimsJSON: text, displayName: name)
    }

    /// Why `verifiedSignIn` gave no sign-in for `entry`, as an audit reason.
    static func whyNoSignIn(_ entry: DirectoryEntry, config: DirectoryConfig) -> String {
        subject(of: entry, config: config) == nil ? "no_uniqueness_value" : "subject_too_long"
    }

    /// The key the password throttle counts the entry's failures under: its identity's subject,
    /// or, for an entry without a uniqueness value (which never signs in), its DN.
    static func throttledAccount(_ entry: DirectoryEntry, config: DirectoryConfig) -> ThrottledAccount {
        .directoryEntry(directory: config.slug, subject: subject(of: entry, config: config) ?? "dn:" + entry.dn.lowercased())
    }

    /// The identity's subject: the uniqueness attribute's canonical text; nil without a value.
    private static func subject(of entry: DirectoryEntry, config: DirectoryConfig) -> String? {
        entry.bytes(config.uniquenessAttribute).flatMap { UniqueIdentifier.text(attribute: config.uniquenessAttribute, value: $0) }
    }

    /// Active Directory's `userAccountControl` ACCOUNTDISABLE flag (0x2): such an entry may not
    /// sign in, and synchronisation deactivates its user.
    static func isDisabled(_ entry: DirectoryEntry, config: DirectoryConfig) -> Bool {
        guard config.preset == .activeDirectory, let text = entry.string("userAccountControl"), let flags = Int64(text) else { return false }
        return flags & 0x2 != 0
    }
}
