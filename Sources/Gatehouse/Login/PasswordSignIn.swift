import Crypto
import Foundation
import Logging
import MatchingKeys
import Store

/// What a password attempt came to. The caller shows one generic message for `.refused`,
/// whatever the reason: the reason goes to the audit log, never to the person at the form.
/// A `.verified` user is not signed in yet: `SignInCompletion` does that, and writes the entry.
public enum PasswordSignInOutcome: Sendable, Equatable {
    case verified(userID: Int64, auditDetail: String)
    case refused
    case rateLimited(retryAfterSeconds: Int64)

    /// The user the password proved, if it did.
    public var verifiedUserID: Int64? {
        if case .verified(let userID, _) = self { return userID }
        return nil
    }
}

/// What the identification step (an identifier without a password) may tell the page.
public enum IdentificationOutcome: Sendable, Equatable {
    /// Go on to the password field.
    case askForPassword
    /// No account with a password answers to this identifier (said only when the operator
    /// turned `pretend_unknown_users_exist` off).
    case unknown
    case rateLimited(retryAfterSeconds: Int64)
}

/// Why a password sign-in was refused; recorded in the audit log's detail.
enum PasswordSignInFailure: String, Sendable {
    case unknownUser = "unknown_user"
    /// The identifier matched more than one user who could sign in with a password: refused,
    /// never guessed.
    case ambiguousIdentifier = "ambiguous_identifier"
    case inactiveUser = "inactive_user"
    case noPassword = "no_password"
    case wrongPassword = "wrong_password"
    case passwordLength = "password_length"
    case identifierLength = "identifier_length"
    /// The stored string does not parse or is beyond the parameter caps; an operator must look.
    case storedHashInvalid = "stored_hash_invalid"
}

/// Checks an identifier and a password, behind the throttle, and audits every failure.
///
/// It blocks for a scrypt derivation (about 16 MiB, a fraction of a second), so the form that
/// calls it runs on the `passwords` executor (`Executors`): as many at once as there are cores,
/// a bounded queue behind them, and a 503 beyond, never Dispatch's shared threads.
///
/// Every path that does not succeed spends one scrypt derivation at the configured parameters
/// (`PasswordHash.dummyVerify` when there is no hash to check), so the response time does not
/// tell an unknown user from a wrong password. The password itself is never logged, audited or
/// kept; the identifier is audited, trimmed and shortened.
///
/// The identifier is looked up by its matching key (`MatchingKey`), the key the throttle counts
/// it under. Only users with a local password can answer to it: another user's claim to the same
/// address (say, an unverified one a provider sign-in brought) never makes the owner's sign-in
/// ambiguous.
public final class PasswordSignIn: Sendable {
    /// Longer identifiers match nobody (an address is at most 254 bytes, a username 255).
    static let maximumIdentifierBytes = 320

    let database: Database
    let settings: PasswordSignInSettings
    let throttle: LoginThrottle
    let audit: AuditRecorder
    let logger: Logger
    /// The configured directories, asked where `order` names them.
    let directories: DirectorySignIn
    /// `login.password_order`: the sources the password field checks, in turn.
    let order: [PasswordSource]

    public convenience init(database: Database, settings: PasswordSignInSettings, throttle: LoginThrottle = LoginThrottle(), logger: Logger) {
        self.init(database: database, settings: settings, throttle: throttle, order: [.local], directories: [], logger: logger)
    }

    init(
        database: Database, settings: PasswordSignInSettings, throttle: LoginThrottle, order: [PasswordSource], directories: [DirectorySource],
        logger: Logger
    ) {
        self.order = order
        self.database = database
        self.settings = settings
        self.throttle = throttle
        audit = AuditRecorder(database: database, logger: logger)
        self.logger = logger
        self.directories = DirectorySignIn(sources: directories, throttle: throttle, logger: logger)
    }

    public func authenticate(identifier: String, password: String, clientAddress: String, requestID: String, now: Int64) -> PasswordSignInOutcome {
        switch signIn(identifier: identifier, password: password, clientAddress: clientAddress, requestID: requestID, now: now) {
        case .outcome(let outcome): return outcome
        // Not reached without directories; with them, `signIn` is the caller's entry.
        case .directory: return .refused
        }
    }

    /// What the password field came to: a local outcome, or a person a directory vouched for
    /// (who is not signed in yet either: `SignInCompletion` links and starts the session).
    enum SignInResult: Sendable {
        case outcome(PasswordSignInOutcome)
        case directory(AccountLinking.VerifiedSignIn, groups: [String], auditDetail: String)
    }

    /// The password sources in `login.password_order`, each asked in turn: the first that holds
    /// the identifier decides (a local account with a password, or one directory entry), and a
    /// refusal there is final. An identifier no source holds gets the local refusal (or
    /// `unknown_user`), the same answer as a wrong password, behind the same throttle.
    func signIn(identifier: String, password: String, clientAddress: String, requestID: String, now: Int64) -> SignInResult {
        let typed = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        let who = Self.who(typed: typed, clientAddress: clientAddress, namesAccount: true)
        let unnamed = Self.who(typed: typed, clientAddress: clientAddress, namesAccount: false)
        let throttled = throttle.checkNotingRefusal(clientAddress: clientAddress, identifier: typed, now: now)
        if case .limited(let retryAfter) = throttled.decision {
            auditRateLimited(retryAfter, step: "password", firstOfEscalation: throttled.isFirstRefusal, who: unnamed, requestID: requestID, now: now)
            return .outcome(.rateLimited(retryAfterSeconds: retryAfter))
        }
        var unheld = RefusalRecord(reason: .unknownUser, userID: nil)
        for source in order {
            switch source {
            case .local:
                let result: Swift.Result<Int64, RefusalRecord>
                do {
                    result = try check(typed, passwordBytes: LocalPassword.bytes(password), now: now)
                } catch let limited as AccountLimited {
                    let first = throttle.isFirstRefusal(clientAddress: clientAddress, identifier: typed, account: .user(limited.userID))
                    auditRateLimited(limited.retryAfterSeconds, step: "password", firstOfEscalation: first, who: who, requestID: requestID, now: now)
                    return .outcome(.rateLimited(retryAfterSeconds: limited.retryAfterSeconds))
                } catch {
                    // Our own failure (the database), not the person's: refuse without counting it.
                    logger.error("password sign-in could not read the store", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
                    return .outcome(.refused)
                }
                switch result {
                case .success(let userID):
                    throttle.recordSuccess(identifier: typed, account: .user(userID))
                    return .outcome(.verified(userID: userID, auditDetail: "method=password; \(who)"))
                case .failure(let refusal) where [.unknownUser, .noPassword].contains(refusal.reason):
                    // No local account with a password holds the identifier: ask the next source.
                    unheld = refusal
                case .failure(let refusal):
                    return .outcome(refuse(
                        refusal, typed: typed, who: refusal.userID == nil ? unnamed : who, clientAddress: clientAddress, requestID: requestID, now: now
                    ))
                }
            case .directory(let slug):
                guard !password.isEmpty, let directory = directories.source(slug) else { continue }
                switch directories.authenticate(typed, password: password, in: directory, requestID: requestID, now: now) {
                case .notFound:
                    continue
                case .verified(let verified, let groups, let directory, let account):
                    throttle.recordSuccess(identifier: typed, account: account)
                    return .directory(verified, groups: groups, auditDetail: "method=ldap; directory=\(directory); \(who)")
                case .limited(let retryAfter, let account):
                    let first = throttle.isFirstRefusal(clientAddress: clientAddress, identifier: typed, account: account)
                    auditRateLimited(retryAfter, step: "password", firstOfEscalation: first, who: who, requestID: requestID, now: now)
                    return .outcome(.rateLimited(retryAfterSeconds: retryAfter))
                case .refused(let reason, let directory, let account):
                    throttle.recordFailure(clientAddress: clientAddress, identifier: typed, account: account, now: now)
                    audit.record(.passwordFailed, requestID: requestID, now: now,
                                 detail: "method=ldap; directory=\(directory); reason=\(reason); \(who)")
                    return .outcome(.refused)
                case .failed(let reason, let directory):
                    // The directory did not answer: nothing says the identifier names an entry.
                    audit.record(.passwordFailed, requestID: requestID, now: now,
                                 detail: "method=ldap; directory=\(directory); reason=\(reason); \(unnamed)")
                    return .outcome(.refused)
                }
            }
        }
        return .outcome(refuse(
            unheld, typed: typed, who: unheld.userID == nil ? unnamed : who, clientAddress: clientAddress, requestID: requestID, now: now
        ))
    }

    /// The source whose threads a password attempt for `identifier` runs on: the first in
    /// `login.password_order` that may decide it, by the same rule `signIn` walks the order with.
    /// A local account that answers to the identifier (with a password, or several accounts) decides
    /// locally; otherwise the next directory is asked, on its own executor, so a directory that
    /// hangs holds its own threads and never the password executor local sign-ins need. An
    /// identifier nobody holds, or a store that cannot be read, stays local (the refusal, and its
    /// dummy hash, run there). Reads only: it runs on the connection's loop, before the handler.
    func firstSource(for identifier: String) -> PasswordSource {
        let typed = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        for source in order {
            switch source {
            case .local:
                guard !typed.isEmpty, typed.utf8.count <= Self.maximumIdentifierBytes,
                      let match = try? database.read({ connection throws in try Self.match(typed, settings: settings, connection: connection) })
                else { return .local }
                switch match {
                case .one, .ambiguous: return .local
                case .none, .noPassword: continue
                }
            case .directory(let slug):
                guard directories.source(slug) != nil else { continue }
                return source
            }
        }
        return .local
    }

    /// Counts, audits and logs a local refusal; the person sees one sentence whatever it was.
    private func refuse(_ refusal: RefusalRecord, typed: String, who: String, clientAddress: String, requestID: String, now: Int64) -> PasswordSignInOutcome {
        throttle.recordFailure(clientAddress: clientAddress, identifier: typed, account: refusal.userID.map(ThrottledAccount.user), now: now)
        audit.record(.passwordFailed, userID: refusal.userID, requestID: requestID, now: now,
                     detail: "method=password; reason=\(refusal.reason.rawValue); \(who)")
        if refusal.reason == .storedHashInvalid {
            logger.error("a stored password hash is invalid", metadata: [
                "request_id": "\(requestID)", "user_id": "\(refusal.userID ?? 0)", "error": "\(refusal.hashError.map { "\($0)" } ?? "")",
            ])
        }
        return .refused
    }

    /// The identification step alone (a form sent without a password), throttled and audited
    /// like a password attempt. With `pretend` (`pretend_unknown_users_exist`, the default) it
    /// looks nothing up and every identifier goes on to the password field, so the answer is the
    /// same for every identifier, known or not, with a password or not. Without it the operator
    /// chose to say when no account with a password answers; each such answer counts as a
    /// failure for the address and the identifier, so the oracle is throttled.
    public func identify(_ identifier: String, pretend: Bool, clientAddress: String, requestID: String, now: Int64) -> IdentificationOutcome {
        let typed = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        let unnamed = Self.who(typed: typed, clientAddress: clientAddress, namesAccount: false)
        let throttled = throttle.checkNotingRefusal(clientAddress: clientAddress, identifier: typed, now: now)
        if case .limited(let retryAfter) = throttled.decision {
            auditRateLimited(retryAfter, step: "identification", firstOfEscalation: throttled.isFirstRefusal, who: unnamed, requestID: requestID, now: now)
            return .rateLimited(retryAfterSeconds: retryAfter)
        }
        guard !pretend else {
            audit.record(.identificationStep, requestID: requestID, now: now, detail: "result=not_revealed; \(unnamed)")
            return .askForPassword
        }
        var match: Match?
        if !typed.isEmpty, typed.utf8.count <= Self.maximumIdentifierBytes {
            match = try? database.read { connection in try Self.match(typed, settings: settings, connection: connection) }
        }
        if case .one(let user)? = match, user.isActive, user.hasPassword {
            let who = Self.who(typed: typed, clientAddress: clientAddress, namesAccount: true)
            audit.record(.identificationStep, userID: user.id, requestID: requestID, now: now, detail: "result=found; \(who)")
            return .askForPassword
        }
        throttle.recordFailure(clientAddress: clientAddress, identifier: typed, now: now)
        audit.record(.passwordFailed, requestID: requestID, now: now, detail: "step=identification; reason=unknown_user; \(unnamed)")
        return .unknown
    }

    /// Audits a refusal by the throttle once per escalation: when it is the first refusal since
    /// the failure that limited it (`LoginThrottle.isFirstRefusal`).
    private func auditRateLimited(_ retryAfter: Int64, step: String, firstOfEscalation: Bool, who: String, requestID: String, now: Int64) {
        guard firstOfEscalation else { return }
        audit.record(.passwordRateLimited, requestID: requestID, now: now, detail: "step=\(step); \(who); retry_after=\(retryAfter)")
    }

    // MARK: - Deciding

    struct RefusalRecord: Error {
        let reason: PasswordSignInFailure
        let userID: Int64?
        var hashError: PasswordHashError? = nil
    }

    /// The account the identifier names is itself throttled (its failures through any identifier).
    struct AccountLimited: Error {
        let retryAfterSeconds: Int64
        let userID: Int64
    }

    private enum Match {
        case none
        case ambiguous
        /// Several users answer to the identifier but none of them has a password.
        case noPassword(UserRecord?)
        case one(UserRecord)
    }

    /// Finds the user, checks the password, upgrades an old hash. Throws store errors and
    /// `AccountLimited`.
    private func check(_ typed: String, passwordBytes: [UInt8], now: Int64) throws -> Result<Int64, RefusalRecord> {
        let parameters = settings.hashParameters
        func refuse(_ reason: PasswordSignInFailure, _ userID: Int64?) -> Result<Int64, RefusalRecord> {
            PasswordHash.dummyVerify(password: passwordBytes, parameters: parameters)
            return .failure(RefusalRecord(reason: reason, userID: userID))
        }
        guard PasswordHash.passwordLengthRange.contains(passwordBytes.count) else { return refuse(.passwordLength, nil) }
        guard !typed.isEmpty, typed.utf8.count <= Self.maximumIdentifierBytes else { return refuse(.identifierLength, nil) }

        let match = try database.read { connection throws in try Self.match(typed, settings: settings, connection: connection) }
        let user: UserRecord
        switch match {
        case .none: return refuse(.unknownUser, nil)
        case .ambiguous: return refuse(.ambiguousIdentifier, nil)
        case .noPassword(let only): return refuse(.noPassword, only?.id)
        case .one(let found): user = found
        }
        if case .limited(let retryAfter) = throttle.check(account: .user(user.id), now: now) {
            throw AccountLimited(retryAfterSeconds: retryAfter, userID: user.id)
        }
        guard user.isActive else { return refuse(.inactiveUser, user.id) }
        guard let stored = try database.read({ connection throws in try UserRepository(connection).passwordHash(userID: user.id) }) else {
            return refuse(.noPassword, user.id)
        }

        let verification: PasswordVerification
        do {
            verification = try PasswordHash.verify(password: passwordBytes, against: stored, current: parameters)
        } catch {
            PasswordHash.dummyVerify(password: passwordBytes, parameters: parameters)
            return .failure(RefusalRecord(reason: .storedHashInvalid, userID: user.id, hashError: error))
        }
        switch verification {
        case .mismatch:
            return .failure(RefusalRecord(reason: .wrongPassword, userID: user.id))
        case .match(let needsRehash):
            if needsRehash { upgrade(user.id, from: stored, passwordBytes: passwordBytes, now: now) }
            return .success(user.id)
        }
    }

    /// Stores a hash at the current parameters. Best effort: the person typed the right
    /// password, so a failed upgrade is logged and the sign-in goes on.
    private func upgrade(_ userID: Int64, from stored: String, passwordBytes: [UInt8], now: Int64) {
        do {
            let fresh = try PasswordHash.make(password: passwordBytes, parameters: settings.hashParameters)
            let replaced = try database.write { connection throws in
                try UserRepository(connection).upgradePasswordHash(userID: userID, from: stored, to: fresh, now: now)
            }
            if !replaced {
                logger.notice("password hash not upgraded: it changed during the sign-in", metadata: ["user_id": "\(userID)"])
            }
        } catch {
            logger.warning("could not upgrade a password hash", metadata: ["user_id": "\(userID)", "error": "\(error)"])
        }
    }

    /// The one user with a local password whom the identifier names through the configured
    /// fields, by matching key. Users without a password cannot sign in here and are set aside
    /// (an unverified address someone else's provider sign-in brought does not shadow the
    /// owner's); when several with a password remain, only those the identifier names firmly
    /// (their username, or their verified address) count; more than one is ambiguous.
    private static func match(_ typed: String, settings: PasswordSignInSettings, connection: Connection) throws(StoreError) -> Match {
        let users = UserRepository(connection)
        var found: [Int64: (user: UserRecord, firm: Bool)] = [:]
        for field in settings.identifierFields {
            switch field {
            case .username:
                guard let key = MatchingKey.username(typed) else { continue }
                for user in try users.matching(usernameKey: key) where !settings.caseSensitive || user.username.utf8.elementsEqual(typed.utf8) {
                    found[user.id] = (user, true)
                }
            case .email:
                guard let key = MatchingKey.email(typed) else { continue }
                for user in try users.matching(emailKey: key) where !settings.caseSensitive || Self.sameText(user.email, typed) {
                    found[user.id] = (user, found[user.id]?.firm == true || user.emailVerified)
                }
            }
        }
        let withPassword = found.values.filter { $0.user.hasPassword }
        switch withPassword.count {
        case 0: return found.isEmpty ? .none : .noPassword(found.count == 1 ? found.values.first?.user : nil)
        case 1: return .one(withPassword[0].user)
        default:
            let firm = withPassword.filter(\.firm)
            return firm.count == 1 ? .one(firm[0].user) : .ambiguous
        }
    }

    /// `login.case_sensitive`: the stored value, trimmed, is the typed one byte for byte.
    private static func sameText(_ stored: String?, _ typed: String) -> Bool {
        guard let stored else { return false }
        return stored.trimmingCharacters(in: .whitespacesAndNewlines).utf8.elementsEqual(typed.utf8)
    }

    // MARK: - Audit

    /// Who made an attempt, as its audit details say it: the client first, then what was typed
    /// when it names an account. Text that names none, or not yet known to (an attempt refused
    /// before any lookup), may be a password typed into the wrong field (review finding: kept
    /// 400 days, readable with `audit:read`), so only its fingerprint is kept: equal for equal
    /// text, so repeated attempts still show, and nothing an offline guess could be checked
    /// against, for its key never leaves this process.
    static func who(typed: String, clientAddress: String, namesAccount: Bool) -> String {
        let identifier = namesAccount
            ? "identifier=\(AuditRecorder.value(typed))"
            : "identifier_fingerprint=\(IdentifierFingerprint.of(typed))"
        return "client=\(AuditRecorder.value(clientAddress)); \(identifier)"
    }
}
