import Directory
import Logging

/// Sign-in by bind (issue 15 section 3): the typed identifier is looked up with the service
/// account (escaped by `FilterEscaping`, so filter syntax is literal text), then the password
/// is checked by binding as the one entry found. `PasswordSignIn` asks the directories in
/// `login.password_order`; the first source that holds the identifier decides.
///
/// An identifier that no directory holds costs a bind all the same (as a DN that does not
/// exist, which the directory refuses), so the time does not tell an unknown person from a
/// wrong password. Several entries answering is a refusal, never the first of them.
struct DirectorySignIn: Sendable {
    let sources: [DirectorySource]
    let logger: Logger

    enum Attempt: Sendable {
        /// No directory holds the identifier.
        case notFound
        case verified(AccountLinking.VerifiedSignIn, groups: [String], directory: String)
        /// Refused; `reason` goes to the audit log.
        case refused(reason: String, directory: String)
    }

    /// The configured directory with this slug.
    func source(_ slug: String) -> DirectorySource? {
        sources.first { $0.config.slug == slug }
    }

    func authenticate(_ typed: String, password: String, in source: DirectorySource, requestID: String) -> Attempt {
        let config = source.config
        do {
            let filter = FilterEscaping.loginFilter(userFilter: config.userFilter, attributes: config.loginAttributes, typed: typed)
            let found = try source.client.search(
                base: config.userBaseDN, filter: filter, attributes: DirectoryIdentity.attributes(config), paged: false
            )
            guard let entry = found.first else {
                _ = try? source.client.verifyPassword(dn: "cn=gatehouse-no-such-entry,\(config.userBaseDN)", password: password)
                return .notFound
            }
            guard found.count == 1 else { return .refused(reason: "ambiguous_identifier", directory: config.slug) }
            guard try source.client.verifyPassword(dn: entry.dn, password: password) else {
                return .refused(reason: "wrong_password", directory: config.slug)
            }
            if DirectoryIdentity.isDisabled(entry, config: config) { return .refused(reason: "disabled_in_directory", directory: config.slug) }
            guard let verified = DirectoryIdentity.verifiedSignIn(entry, config: config) else {
                return .refused(reason: "no_uniqueness_value", directory: config.slug)
            }
            // A name that cannot be passed on faithfully (a comma would split it downstream) is dropped.
            let groups = SessionGroups.kept(try DirectoryGroups.names(of: entry, source: source))
            return .verified(verified, groups: groups, directory: config.slug)
        } catch {
            if error.code == .emptyPassword { return .refused(reason: "empty_password", directory: config.slug) }
            logger.error("directory sign-in failed", metadata: [
                "request_id": "\(requestID)", "directory": "\(config.slug)", "error": "\(error)",
            ])
            return .refused(reason: "directory_\(error.code.rawValue)", directory: config.slug)
        }
    }
}
