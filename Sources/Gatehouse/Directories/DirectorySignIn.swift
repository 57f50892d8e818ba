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
    let throttle: LoginThrottle
    let logger: Logger

    enum Attempt: Sendable {
        /// No directory holds the identifier.
        case notFound
        /// `account` is the entry, whose failures the success forgets.
        case verified(AccountLinking.VerifiedSignIn, groups: [String], directory: String, account: ThrottledAccount)
        /// Refused for something the person did (a wrong password, a disabled entry); counted
        /// against the entry too when one was found. `reason` goes to the audit log.
        case refused(reason: String, directory: String, account: ThrottledAccount?)
        /// The entry's own failures hold it back (`LoginThrottle`): no bind was tried.
        case limited(retryAfterSeconds: Int64, account: ThrottledAccount)
        /// The directory could not answer (down, slow, misconfigured): not the person's failure,
        /// so not counted against them or their network.
        case failed(reason: String, directory: String)
    }

    /// The configured directory with this slug.
    func source(_ slug: String) -> DirectorySource? {
        sources.first { $0.config.slug == slug }
    }

    func authenticate(_ typed: String, password: String, in source: DirectorySource, requestID: String, now: Int64) -> Attempt {
        let config = source.config
        // One deadline for the whole exchange: the search, the bind and every group read.
        let deadline = source.client.deadlineFromNow()
        var account: ThrottledAccount?
        do {
            let filter = FilterEscaping.loginFilter(userFilter: config.userFilter, attributes: config.loginAttributes, typed: typed)
            let found = try source.client.search(
                base: config.userBaseDN, filter: filter, attributes: DirectoryIdentity.attributes(config), paged: false, deadline: deadline
            )
            guard let entry = found.first else {
                _ = try? source.client.verifyPassword(dn: "cn=gatehouse-no-such-entry,\(config.userBaseDN)", password: password, deadline: deadline)
                return .notFound
            }
            guard found.count == 1 else { return .refused(reason: "ambiguous_identifier", directory: config.slug, account: nil) }
            let entryAccount = DirectoryIdentity.throttledAccount(entry, config: config)
            account = entryAccount
            if case .limited(let retryAfter) = throttle.check(account: entryAccount, now: now) {
                return .limited(retryAfterSeconds: retryAfter, account: entryAccount)
            }
            guard try source.client.verifyPassword(dn: entry.dn, password: password, deadline: deadline) else {
                return .refused(reason: "wrong_password", directory: config.slug, account: entryAccount)
            }
            if DirectoryIdentity.isDisabled(entry, config: config) {
                return .refused(reason: "disabled_in_directory", directory: config.slug, account: entryAccount)
            }
            guard let verified = DirectoryIdentity.verifiedSignIn(entry, config: config) else {
                return .refused(reason: DirectoryIdentity.whyNoSignIn(entry, config: config), directory: config.slug, account: entryAccount)
            }
            // A name that cannot be passed on faithfully (a comma would split it downstream) is dropped.
            let groups = SessionGroups.kept(try DirectoryGroups.names(of: entry, source: source, deadline: deadline), preferring: source.requiredGroups)
            return .verified(verified, groups: groups, directory: config.slug, account: entryAccount)
        } catch {
            switch error.code {
            case .emptyPassword:
                return .refused(reason: "empty_password", directory: config.slug, account: account)
            default:
                // Whatever else the server answered (down, slow, an error code of its own) is not
                // the person's failed password: a wrong one is `false` from the bind, above.
                logger.error("directory sign-in failed", metadata: [
                    "request_id": "\(requestID)", "directory": "\(config.slug)", "error": "\(error)",
                ])
                return .failed(reason: "directory_\(error.code.rawValue)", directory: config.slug)
            }
        }
    }
}
