import Crypto
import Dispatch
import Foundation
import Logging
import Store

/// What a password sign-in came to. The caller shows one generic message for `.refused`,
/// whatever the reason: the reason goes to the audit log, never to the person at the form.
public enum PasswordSignInOutcome: Sendable, Equatable {
    case signedIn(userID: Int64)
    case refused
    case rateLimited(retryAfterSeconds: Int64)
}

/// Why a password sign-in was refused; recorded in the audit log's detail.
enum PasswordSignInFailure: String, Sendable {
    case unknownUser = "unknown_user"
    /// The identifier matched more than one user (two accounts sharing an address, or one
    /// user's username being another's address): refused, never guessed.
    case ambiguousIdentifier = "ambiguous_identifier"
    case inactiveUser = "inactive_user"
    case noPassword = "no_password"
    case wrongPassword = "wrong_password"
    case passwordLength = "password_length"
    case identifierLength = "identifier_length"
    /// The stored string does not parse or is beyond the parameter caps; an operator must look.
    case storedHashInvalid = "stored_hash_invalid"
}

/// Checks an identifier and a password, behind the throttle, and writes the audit trail.
///
/// Every path that does not sign in spends one scrypt derivation at the configured parameters
/// (`PasswordHash.dummyVerify` when there is no hash to check), so the response time does not
/// tell an unknown user from a wrong password. The password itself is never logged, audited or
/// kept; the identifier is audited, trimmed and shortened.
public final class PasswordSignIn: Sendable {
    /// Longer identifiers match nobody (an address is at most 254 bytes, a username 255).
    static let maximumIdentifierBytes = 320

    let database: Database
    let settings: PasswordSignInSettings
    let throttle: LoginThrottle
    let logger: Logger

    public init(database: Database, settings: PasswordSignInSettings, throttle: LoginThrottle = LoginThrottle(), logger: Logger) {
        self.database = database
        self.settings = settings
        self.throttle = throttle
        self.logger = logger
    }

    public func authenticate(identifier: String, password: String, clientAddress: String, requestID: String, now: Int64) -> PasswordSignInOutcome {
        let typed = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        if case .limited(let retryAfter) = throttle.check(clientAddress: clientAddress, identifier: typed, now: now) {
            audit("login.rate_limited", userID: nil, requestID: requestID, now: now,
                  detail: "identifier=\(Self.auditable(typed)); client=\(Self.auditable(clientAddress)); retry_after=\(retryAfter)")
            return .rateLimited(retryAfterSeconds: retryAfter)
        }
        let passwordBytes = LocalPassword.bytes(password)

        let result: Result<Int64, RefusalRecord>
        Self.hashingSlots.wait()
        defer { Self.hashingSlots.signal() }
        do {
            result = try check(typed, passwordBytes: passwordBytes, now: now)
        } catch {
            // Our own failure (the database), not the person's: refuse without counting it.
            logger.error("password sign-in could not read the store", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
            return .refused
        }

        switch result {
        case .success(let userID):
            throttle.recordSuccess(identifier: typed)
            audit("login.success", userID: userID, requestID: requestID, now: now,
                  detail: "method=password; identifier=\(Self.auditable(typed)); client=\(Self.auditable(clientAddress))")
            return .signedIn(userID: userID)
        case .failure(let refusal):
            throttle.recordFailure(clientAddress: clientAddress, identifier: typed, now: now)
            audit("login.failed", userID: refusal.userID, requestID: requestID, now: now,
                  detail: "method=password; reason=\(refusal.reason.rawValue); identifier=\(Self.auditable(typed)); client=\(Self.auditable(clientAddress))")
            if refusal.reason == .storedHashInvalid {
                logger.error("a stored password hash is invalid", metadata: [
                    "request_id": "\(requestID)", "user_id": "\(refusal.userID ?? 0)", "error": "\(refusal.hashError.map { "\($0)" } ?? "")",
                ])
            }
            return .refused
        }
    }

    /// The identification step alone (a form sent without a password): whether the identifier
    /// names exactly one active user who has a local password. No password is checked and no
    /// hash is run; the caller decides what the page may reveal (`pretend_unknown_users_exist`).
    public func identifiesPasswordUser(_ identifier: String) -> Bool {
        let typed = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !typed.isEmpty else { return false }
        let match = try? database.read { connection in try Self.match(typed, settings: settings, connection: connection) }
        guard case .one(let user, let hash)? = match else { return false }
        return user.isActive && hash != nil
    }

    /// At most this many password checks run scrypt at once. Each takes about 16 MiB for a
    /// fraction of a second, so a burst of attempts queues here instead of exhausting memory.
    static let hashingSlots = DispatchSemaphore(value: 4)

    // MARK: - Deciding

    struct RefusalRecord: Error {
        let reason: PasswordSignInFailure
        let userID: Int64?
        var hashError: PasswordHashError? = nil
    }

    private enum Match {
        case none
        case ambiguous
        case one(UserRecord, passwordHash: String?)
    }

    /// Finds the user, checks the password, upgrades an old hash. Throws only store errors.
    private func check(_ typed: String, passwordBytes: [UInt8], now: Int64) throws -> Result<Int64, RefusalRecord> {
        let parameters = settings.hashParameters
        func refuse(_ reason: PasswordSignInFailure, _ userID: Int64?) -> Result<Int64, RefusalRecord> {
            PasswordHash.dummyVerify(password: passwordBytes, parameters: parameters)
            return .failure(RefusalRecord(reason: reason, userID: userID))
        }
        guard PasswordHash.passwordLengthRange.contains(passwordBytes.count) else { return refuse(.passwordLength, nil) }
        guard !typed.isEmpty, typed.utf8.count <= Self.maximumIdentifierBytes else { return refuse(.identifierLength, nil) }

        let match = try database.read { connection throws in try Self.match(typed, settings: settings, connection: connection) }
        guard case .one(let user, let stored) = match else {
            if case .ambiguous = match { return refuse(.ambiguousIdentifier, nil) }
            return refuse(.unknownUser, nil)
        }
        guard user.isActive else { return refuse(.inactiveUser, user.id) }
        guard let stored else { return refuse(.noPassword, user.id) }

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

    /// Every user the identifier names through the configured fields, counted once each.
    private static func match(_ typed: String, settings: PasswordSignInSettings, connection: Connection) throws(StoreError) -> Match {
        let users = UserRepository(connection)
        var found: [Int64: UserRecord] = [:]
        for field in settings.identifierFields {
            switch field {
            case .username:
                if let user = try users.find(username: typed, caseSensitive: settings.caseSensitive) { found[user.id] = user }
            case .email:
                for user in try users.find(email: typed, caseSensitive: settings.caseSensitive, limit: 2) { found[user.id] = user }
            }
            if found.count > 1 { return .ambiguous }
        }
        guard let user = found.values.first else { return .none }
        return .one(user, passwordHash: try users.passwordHash(userID: user.id))
    }

    // MARK: - Audit

    /// Typed text in an audit line: control characters replaced, at most 128 characters.
    static func auditable(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? "?" : scalar
        }))
        return cleaned.count > 128 ? String(cleaned.prefix(128)) + "…" : cleaned
    }

    /// Best effort, as in `OIDCSignIn`: a failing audit write is logged, never a failed sign-in.
    private func audit(_ event: String, userID: Int64?, requestID: String, now: Int64, detail: String) {
        do {
            _ = try database.write { connection throws in
                try AuditLogRepository(connection).append(event: event, now: now, userID: userID, requestID: requestID, detail: detail)
            }
        } catch {
            logger.error("audit write failed", metadata: ["request_id": "\(requestID)", "event": "\(event)", "error": "\(error)"])
        }
    }
}
