import Accounts
import MatchingKeys
import Store

/// A user an operator creates.
public struct NewUser: Sendable, Equatable {
    public var username: String
    public var email: String?
    /// The operator vouches for the address (`email_verified_by: admin`).
    public var emailVerified: Bool
    public var displayName: String?
    public var password: PasswordChoice
    /// Identities made with the user, in the same transaction: a pre-provisioned user is one
    /// with an identity whose subject is empty, filled at the person's first sign-in.
    public var identities: [NewIdentity]

    /// More in one request is a mistake, and would hold the writer for one decision each.
    public static let mostIdentities = 16

    public init(
        username: String, email: String? = nil, emailVerified: Bool = false, displayName: String? = nil,
        password: PasswordChoice = .none, identities: [NewIdentity] = []
    ) {
        self.username = username
        self.email = email
        self.emailVerified = emailVerified
        self.displayName = displayName
        self.password = password
        self.identities = identities
    }
}

/// Whether a new user gets a local password.
public enum PasswordChoice: Sendable, Equatable {
    case none
    case given(String)
    /// 144 random bits, returned once and stored only as a hash.
    case generated
}

/// A user as made, and the generated password when one was asked for (shown once).
public struct CreatedUser: Sendable {
    public let user: UserRecord
    public let identities: [IdentityRecord]
    public let generatedPassword: String?
}

/// A change to one member: left as it is, set, or removed.
public enum MemberChange<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case set(Value)
    case remove
}

/// What an operator changes of a user; members left `nil` or `.keep` stay as they are.
public struct UserChanges: Sendable, Equatable {
    public var username: String?
    /// True: the operator vouches for the username (as it is, or as `username` sets it), which
    /// then counts for any provider's username matching and is what forward-auth sends; false:
    /// not verified (forward-auth sends `user:<id>`). Nil: a new username is the operator's,
    /// one left as it is keeps its verifier.
    public var usernameVerified: Bool?
    /// A new address is unverified unless `emailVerified` (or `emailVerifiedBy`) says otherwise.
    public var email: MemberChange<String> = .keep
    public var emailVerified: Bool?
    /// `admin`, `person`, or `provider:<slug>` of a configured provider; implies verified.
    public var emailVerifiedBy: String?
    public var displayName: MemberChange<String> = .keep
    /// False deactivates the user, revoking every session at once.
    public var active: Bool?

    public init() {}

    var isEmpty: Bool {
        username == nil && usernameVerified == nil && email == .keep && emailVerified == nil && emailVerifiedBy == nil && displayName == .keep && active == nil
    }
}

/// How a user listing is narrowed.
public struct UserQuery: Sendable, Equatable {
    /// Text in the username, email or display name.
    public var text: String?
    /// The users holding this address, compared by its matching key.
    public var email: String?
    public var active: Bool?
    /// Users with an identity of this provider.
    public var provider: String?

    public init(text: String? = nil, email: String? = nil, active: Bool? = nil, provider: String? = nil) {
        self.text = text
        self.email = email
        self.active = active
        self.provider = provider
    }
}

extension Administration {
    public func listUsers(_ query: UserQuery, _ page: PageRequest) throws -> Page<UserRecord> {
        var filter = UserFilter(text: query.text, isActive: query.active, provider: query.provider)
        if let email = query.email {
            // An address without a matching key matches nobody, as at a sign-in.
            guard let key = MatchingKey.email(email) else { return Page(items: [], nextAfter: nil) }
            filter.emailKey = key
        }
        return try read { try UserRepository($0).page(filter, page) }
    }

    public func user(_ id: Int64) throws -> UserRecord {
        guard let user = try read({ try UserRepository($0).find(id: id) }) else { throw AdministrationError.notFound("user \(id)") }
        return user
    }

    /// The version tag of a user as the API shows it: `If-Match` compares against this.
    public static func entityTag(of user: UserRecord) -> String {
        AdminRepresentation.entityTag(AdminRepresentation.user(user))
    }

    /// What breaks a rule in `new`, every field's problem; empty when it may be created.
    public func problems(in new: NewUser) -> [AdministrationError.FieldProblem] {
        checked(new).problems
    }

    /// `new` with its values as they are stored, and the problems found on the way.
    private func checked(_ new: NewUser) -> (user: NewUser, problems: [AdministrationError.FieldProblem]) {
        var problems: [AdministrationError.FieldProblem] = []
        var user = new
        user.username = collect(&problems) { () throws(AdministrationError) in try AccountInputRules.username(new.username) } ?? new.username
        if let email = new.email { user.email = collect(&problems) { () throws(AdministrationError) in try AccountInputRules.email(email) } }
        if let name = new.displayName {
            user.displayName = collect(&problems) { () throws(AdministrationError) in try AccountInputRules.displayName(name) }
        }
        if new.emailVerified && new.email == nil { problems.append(.init("email_verified", "needs an email")) }
        if case .given(let given) = new.password {
            _ = collect(&problems) { () throws(AdministrationError) in try AccountInputRules.password(given) }
        }
        if new.identities.count > NewUser.mostIdentities {
            problems.append(.init("identities", "at most \(NewUser.mostIdentities) identities with a new user"))
        }
        for (index, identity) in new.identities.prefix(NewUser.mostIdentities).enumerated() {
            problems += identityProblems(identity, field: "identities/\(index)")
        }
        return (user, problems)
    }

    public func createUser(_ new: NewUser, by actor: AdministrationActor) throws -> CreatedUser {
        let (checked, problems) = checked(new)
        guard problems.isEmpty else { throw AdministrationError.invalid(problems) }
        let (username, email, displayName) = (checked.username, checked.email, checked.displayName)
        var password: String?
        switch new.password {
        case .none: password = nil
        case .given(let given): password = given
        case .generated: password = try AccountInputRules.generatedPassword()
        }
        let hash = try password.map { try AccountInputRules.passwordHash($0) }
        let now = clock()
        let (user, identities) = try write { connection in
            let users = UserRepository(connection)
            if new.emailVerified { try Self.refuseVerifiedEmailOfAnother(email, user: nil, in: users) }
            let user: UserRecord
            do {
                // The operator chose the username, and vouches for the address when told to.
                user = try users.create(
                    username: username, email: email, emailVerifiedBy: new.emailVerified ? .administrator : nil,
                    usernameVerifiedBy: .administrator, displayName: displayName, now: now
                )
            } catch let error as StoreError where error.code == .verifiedEmailTaken {
                throw Self.verifiedEmailRefusal(error)
            } catch let error as StoreError where [.confusableUsername, .uniqueViolation].contains(error.code) {
                throw Self.usernameRefusal(username, existing: true)
            }
            if let hash { try users.setPasswordHash(userID: user.id, hash: hash, now: now) }
            try AuditRecorder.record(
                .userCreated, userID: user.id, requestID: actor.requestID, now: now,
                detail: "password=\(Self.passwordNote(new.password)); identities=\(new.identities.count)", actor: actor.name, in: connection
            )
            var identities: [IdentityRecord] = []
            for (index, identity) in new.identities.enumerated() {
                identities.append(try link(identity, to: user.id, by: actor, now: now, in: connection, field: "identities/\(index)"))
            }
            return (try users.find(id: user.id) ?? user, identities)
        }
        return CreatedUser(user: user, identities: identities, generatedPassword: new.password == .generated ? password : nil)
    }

    /// What breaks a rule in `changes`, every field's problem; empty when they may be applied.
    public func problems(in changes: UserChanges) -> [AdministrationError.FieldProblem] {
        checked(changes).problems
    }

    private func checked(_ changes: UserChanges) -> (changes: UserChanges, verifier: EmailVerifier?, problems: [AdministrationError.FieldProblem]) {
        var problems: [AdministrationError.FieldProblem] = []
        var checked = changes
        if let username = changes.username {
            checked.username = collect(&problems) { () throws(AdministrationError) in try AccountInputRules.username(username) }
        }
        if case .set(let address) = changes.email {
            if let valid = collect(&problems, { () throws(AdministrationError) in try AccountInputRules.email(address) }) { checked.email = .set(valid) }
        }
        if case .set(let name) = changes.displayName {
            if let valid = collect(&problems, { () throws(AdministrationError) in try AccountInputRules.displayName(name) }) { checked.displayName = .set(valid) }
        }
        var verifier: EmailVerifier?
        if let stored = changes.emailVerifiedBy {
            if let parsed = EmailVerifier(stored: stored), isAcceptable(parsed) {
                verifier = parsed
            } else {
                problems.append(.init("email_verified_by", "must be \"admin\", \"person\" or \"provider:<slug>\" of a configured provider"))
            }
            if changes.emailVerified == false { problems.append(.init("email_verified_by", "a verifier needs email_verified true")) }
        }
        if changes.isEmpty { problems.append(.init("", "names nothing to change")) }
        return (checked, verifier, problems)
    }

    /// Applies `changes` to a user, only if it is still at version `expected` when one is given
    /// (`If-Match`), compared inside the write. Deactivating revokes every session of the user in
    /// the same transaction.
    public func updateUser(_ id: Int64, _ changes: UserChanges, ifMatch expected: String? = nil, by actor: AdministrationActor) throws -> UserRecord {
        let (checkedChanges, verifier, problems) = checked(changes)
        guard problems.isEmpty else { throw AdministrationError.invalid(problems) }
        let (username, email, displayName) = (checkedChanges.username, checkedChanges.email, checkedChanges.displayName)
        let now = clock()
        return try write { connection in
            let users = UserRepository(connection)
            guard let current = try users.find(id: id) else { throw AdministrationError.notFound("user \(id)") }
            try Self.checkVersion(of: current, expected)
            let newEmail: String?
            switch email {
            case .keep: newEmail = current.email
            case .set(let address): newEmail = address
            case .remove: newEmail = nil
            }
            let emailChanged = !sameText(newEmail, current.email)
            var newVerifier: EmailVerifier? = emailChanged ? nil : current.emailVerifiedBy
            if changes.emailVerified == false { newVerifier = nil }
            if changes.emailVerified == true || verifier != nil { newVerifier = verifier ?? .administrator }
            if newVerifier != nil && newEmail == nil {
                throw AdministrationError.invalid("email_verified", "needs an email")
            }
            if newVerifier != nil && (emailChanged || current.emailVerifiedBy == nil) {
                try Self.refuseVerifiedEmailOfAnother(newEmail, user: id, in: users)
            }
            let newName: String?
            switch displayName {
            case .keep: newName = current.displayName
            case .set(let name): newName = name
            case .remove: newName = nil
            }
            // A username the operator changes, or vouches for, is theirs; one sent back unchanged
            // keeps its verifier.
            let renamed = username.map { !$0.utf8.elementsEqual(current.username.utf8) } == true
            let usernameVerifier: EmailVerifier? = switch changes.usernameVerified {
            case true?: .administrator
            case false?: nil
            case nil: renamed ? .administrator : current.usernameVerifiedBy
            }
            let proposed = UserRecord(
                id: current.id, username: username ?? current.username, usernameKey: nil, email: newEmail, emailKey: nil,
                emailVerifiedBy: newVerifier, usernameVerifiedBy: usernameVerifier,
                displayName: newName, isActive: changes.active ?? current.isActive, hasPassword: current.hasPassword,
                createdAt: current.createdAt, updatedAt: now
            )
            let written: UserRecord
            do {
                written = try users.replace(proposed, now: now)
            } catch let error as StoreError where error.code == .verifiedEmailTaken {
                throw Self.verifiedEmailRefusal(error)
            } catch let error as StoreError where [.confusableUsername, .uniqueViolation].contains(error.code) {
                throw Self.usernameRefusal(proposed.username, existing: false)
            }
            let fields = Self.changedFields(from: current, to: written)
            if current.isActive && !written.isActive {
                let revoked = try SessionRepository(connection).revokeAll(userID: id, now: now)
                try AuditRecorder.record(
                    .userDeactivated, userID: id, requestID: actor.requestID, now: now, detail: "sessions_revoked=\(revoked)",
                    actor: actor.name, in: connection
                )
            }
            let otherFields = fields.filter { $0 != "active" || written.isActive }
            if !otherFields.isEmpty {
                try AuditRecorder.record(
                    .userUpdated, userID: id, requestID: actor.requestID, now: now, detail: "fields=\(otherFields.joined(separator: ","))",
                    actor: actor.name, in: connection
                )
            }
            return written
        }
    }

    /// Deactivates a user: no sign-in by any method, and every session revoked at once.
    public func deactivateUser(_ id: Int64, by actor: AdministrationActor) throws -> UserRecord {
        var changes = UserChanges()
        changes.active = false
        return try updateUser(id, changes, by: actor)
    }

    /// Deletes a user with its identities and sessions; the audit trail keeps what it said of them.
    public func deleteUser(_ id: Int64, ifMatch expected: String? = nil, by actor: AdministrationActor) throws {
        let now = clock()
        try write { connection in
            let users = UserRepository(connection)
            guard let current = try users.find(id: id) else { throw AdministrationError.notFound("user \(id)") }
            try Self.checkVersion(of: current, expected)
            let sessions = try SessionRepository(connection).revokeAll(userID: id, now: now)
            let identities = try IdentityRepository(connection).list(userID: id).count
            try users.delete(id: id)
            try AuditRecorder.record(
                .userDeleted, userID: id, requestID: actor.requestID, now: now,
                detail: "username=\(current.username); identities=\(identities); sessions_revoked=\(sessions)", actor: actor.name, in: connection
            )
        }
    }

    /// Sets (or, with nil, removes) a user's local password, ending the sessions signed in with
    /// the password it replaces. Removing it is refused when it is the user's last way to sign in
    /// (no identity that signs in, `WaysToSignIn`): the unlink rule, for the password.
    public func setPassword(_ id: Int64, to password: String?, by actor: AdministrationActor) throws -> UserRecord {
        let hash = try password.map { given in try AccountInputRules.passwordHash(try AccountInputRules.password(given)) }
        let now = clock()
        return try write { connection in
            let users = UserRepository(connection)
            guard let user = try users.find(id: id) else { throw AdministrationError.notFound("user \(id)") }
            // A password counts as a way in only while local passwords sign people in: with them
            // off, removing a stale hash takes nothing away (review finding).
            let waysIn = WaysToSignIn(config)
            if hash == nil, waysIn.localPasswords, !waysIn.remain(
                afterRemoving: nil, from: try IdentityRepository(connection).list(userID: id), hasPassword: false, user: user
            ) {
                throw AdministrationError.conflict(.init(
                    "last_sign_in_method", "the password is user \(id)'s last way to sign in (no identity that signs in); link one first",
                    ownerUserID: id
                ))
            }
            try users.setPasswordHash(userID: id, hash: hash, now: now)
            // A reset after a leak must end what the old password opened.
            let revoked = try SessionRepository(connection).revokePasswordSessions(userID: id, now: now)
            try AuditRecorder.record(
                .passwordSet, userID: id, requestID: actor.requestID, now: now,
                detail: "\(hash == nil ? "removed" : "set"); sessions_revoked=\(revoked)", actor: actor.name, in: connection
            )
            guard let user = try users.find(id: id) else { throw AdministrationError.notFound("user \(id)") }
            return user
        }
    }

    /// The user found by the username's matching key, as a sign-in finds it; a key two users
    /// share (recorded when the keys were recomputed) names nobody.
    public func user(named username: String) throws -> UserRecord {
        let named = try read { connection in
            try MatchingKey.username(username).map { try UserRepository(connection).matching(usernameKey: $0) } ?? []
        }
        guard named.count == 1, let user = named.first else { throw AdministrationError.notFound("user named \"\(username.prefix(255))\"") }
        return user
    }

    // MARK: Helpers

    /// A username the store refused: a look-alike of another (409), or one so long that its
    /// skeleton cannot be compared with others' (422).
    private static func usernameRefusal(_ username: String, existing: Bool) -> AdministrationError {
        guard MatchingKey.usernameSkeleton(username) != nil else {
            return .invalid("username", "too long to be compared with other usernames")
        }
        let detail = existing
            ? "a user whose name differs from \"\(username)\" only by case, width or look-alike characters already exists"
            : "another user's name differs from \"\(username)\" only by case, width or look-alike characters"
        return .conflict(.init("username_taken", detail))
    }

    /// The database's own refusal of a second verified holder, when the check below did not see
    /// it first (a stored key computed by an older build): the same answer, without an owner.
    private static func verifiedEmailRefusal(_ error: StoreError) -> AdministrationError {
        .conflict(.init("email_taken", "another user already holds this address, verified; a verified address has one owner"))
    }

    /// An address given as verified that another user already holds verified, by its matching
    /// key, is refused (409 `email_taken`, naming the owner): the linking engine would then find
    /// two owners of one verified address and refuse both, locking the first out of the
    /// sign-ins it links by email.
    private static func refuseVerifiedEmailOfAnother(_ email: String?, user: Int64?, in users: UserRepository) throws {
        guard let key = email.flatMap(MatchingKey.email) else { return }
        guard let owner = try users.matching(emailKey: key).first(where: { $0.id != user && $0.emailVerifiedBy != nil }) else { return }
        throw AdministrationError.conflict(.init(
            "email_taken", "user \(owner.id) already holds this address, verified; a verified address has one owner", ownerUserID: owner.id
        ))
    }

    static func checkVersion(of user: UserRecord, _ expected: String?) throws {
        guard let expected, expected != "*" else { return }
        let current = entityTag(of: user)
        guard expected == current else { throw AdministrationError.versionMismatch(current: current) }
    }

    private static func changedFields(from old: UserRecord, to new: UserRecord) -> [String] {
        var fields: [String] = []
        if !old.username.utf8.elementsEqual(new.username.utf8) { fields.append("username") }
        if old.usernameVerifiedBy != new.usernameVerifiedBy { fields.append("username_verified") }
        if !sameText(old.email, new.email) { fields.append("email") }
        if old.emailVerifiedBy != new.emailVerifiedBy { fields.append("email_verified") }
        if !sameText(old.displayName, new.displayName) { fields.append("display_name") }
        if old.isActive != new.isActive { fields.append("active") }
        return fields
    }

    private static func passwordNote(_ choice: PasswordChoice) -> String {
        switch choice {
        case .none: "none"
        case .given: "given"
        case .generated: "generated"
        }
    }

    /// An operator may name themselves, the person, or a configured provider as the verifier.
    private func isAcceptable(_ verifier: EmailVerifier) -> Bool {
        if case .provider(let slug) = verifier { return config.providers.contains { $0.slug == slug } }
        return true
    }
}

/// Runs a check, adding its problems to `problems` instead of stopping at the first.
func collect<T>(_ problems: inout [AdministrationError.FieldProblem], _ check: () throws(AdministrationError) -> T) -> T? {
    do {
        return try check()
    } catch {
        if case .invalid(let found) = error { problems += found }
        return nil
    }
}

/// Two optional texts hold the same bytes (Swift's `==` would call canonically equivalent
/// texts equal, and a stored value that changes form has changed).
func sameText(_ lhs: String?, _ rhs: String?) -> Bool {
    switch (lhs, rhs) {
    case (nil, nil): true
    case (let left?, let right?): left.utf8.elementsEqual(right.utf8)
    default: false
    }
}
