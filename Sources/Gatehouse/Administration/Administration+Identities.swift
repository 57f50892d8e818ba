import Accounts
import Store

/// An identity an operator gives a user: the provider's slug, and the subject the provider
/// knows the person by, or empty to pre-provision it (filled at the person's first sign-in).
public struct NewIdentity: Sendable, Equatable {
    public var provider: String
    public var subject: String

    public init(provider: String, subject: String = "") {
        self.provider = provider
        self.subject = subject
    }
}

/// How an identity listing is narrowed: a user's identities, or the reverse lookup of an
/// account at a provider by its subject.
public typealias IdentityQuery = IdentityFilter

extension Administration {
    /// A subject is looked up under a provider: subjects are the provider's, and only
    /// (provider, subject) has an index, so a subject alone would scan every identity.
    public func listIdentities(_ query: IdentityQuery, _ page: PageRequest) throws -> Page<IdentityRecord> {
        if query.subject != nil && query.provider == nil {
            throw AdministrationError.invalid("subject", "a subject is looked up with its provider")
        }
        return try read { connection in
            if let userID = query.userID, try UserRepository(connection).find(id: userID) == nil {
                throw AdministrationError.notFound("user \(userID)")
            }
            return try IdentityRepository(connection).page(query, page)
        }
    }

    public func identity(_ id: Int64) throws -> IdentityRecord {
        guard let identity = try read({ try IdentityRepository($0).find(id: id) }) else {
            throw AdministrationError.notFound("identity \(id)")
        }
        return identity
    }

    public static func entityTag(of identity: IdentityRecord) -> String {
        AdminRepresentation.entityTag(AdminRepresentation.identity(identity))
    }

    /// Gives user `userID` the identity, when the linking engine's operator rules allow it; an
    /// identity another user holds is a conflict naming that user, never moved.
    public func linkIdentity(_ new: NewIdentity, to userID: Int64, by actor: AdministrationActor) throws -> IdentityRecord {
        let problems = identityProblems(new, field: "")
        guard problems.isEmpty else { throw AdministrationError.invalid(problems) }
        let now = clock()
        return try write { connection in
            guard try UserRepository(connection).find(id: userID) != nil else { throw AdministrationError.notFound("user \(userID)") }
            return try link(new, to: userID, by: actor, now: now, in: connection, field: "")
        }
    }

    /// Removes an identity from its user. Refused when it is the user's last way to sign in,
    /// unless `force`, which the audit entry records.
    public func unlinkIdentity(_ id: Int64, force: Bool, ifMatch expected: String? = nil, by actor: AdministrationActor) throws {
        let found = try identity(id)
        let outcome = try IdentityUnlinking(database: database, waysIn: WaysToSignIn(config)).unlink(
            identityID: id, userID: found.userID, actor: actor.name, force: force, requestID: actor.requestID, now: clock(),
            isCurrent: { current in expected == nil || expected == "*" || expected == Self.entityTag(of: current) }
        )
        switch outcome {
        case .unlinked: return
        case .changed(let current): throw AdministrationError.versionMismatch(current: Self.entityTag(of: current))
        case .notFound: throw AdministrationError.notFound("identity \(id)")
        case .lastSignInMethod:
            throw AdministrationError.conflict(.init(
                "last_sign_in_method",
                "identity \(id) is user \(found.userID)'s last way to sign in (no password, no other identity); force it to remove it anyway",
                ownerUserID: found.userID, identityID: id
            ))
        }
    }

    // MARK: Shared with user creation

    public static let multiTenantLinkRefusal = "a multi-tenant provider's identities are linked by signing in (or from the account page), not by an operator: its issuer names no tenant"

    /// The problems of a new identity's fields; `field` is where it sits in the input.
    func identityProblems(_ new: NewIdentity, field: String) -> [AdministrationError.FieldProblem] {
        let prefix = field.isEmpty ? "" : field + "/"
        var problems: [AdministrationError.FieldProblem] = []
        if let provider = config.providers.first(where: { $0.slug == new.provider }) {
            // Its issuer is a template no sign-in carries: a link under it would never be filled
            // (a second account instead) or, with a subject, refuse its person as an issuer change.
            if provider.settings.quirks.tenantIssuer != nil {
                problems.append(.init(prefix + "provider", Self.multiTenantLinkRefusal))
            }
        } else {
            problems.append(.init(prefix + "provider", "not a configured provider"))
        }
        if new.subject.utf8.count > 255 || new.subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append(.init(prefix + "subject", "a subject is at most 255 bytes without control characters"))
        }
        return problems
    }

    /// Decides with `LinkingEngine.decideOperatorLink` and writes what it decided, with the
    /// decision's record and the audit entry, on the caller's write transaction. `field` is where
    /// the identity sits in the input, named by a conflict. `new` has passed `identityProblems`
    /// (a multi-tenant provider among them), as both callers check before their transaction.
    func link(
        _ new: NewIdentity, to userID: Int64, by actor: AdministrationActor, now: Int64, in connection: Connection, field: String
    ) throws -> IdentityRecord {
        let provider = try provider(new.provider)
        let request = OperatorLinkRequest(provider: provider.slug, issuer: provider.settings.issuer, subject: new.subject, userID: userID)
        let view = try StoreViewLoader(connection: connection).loadAccountLink(
            provider: request.provider, issuer: request.issuer, subject: request.subject, userID: userID
        )
        let decision = LinkingEngine.decideOperatorLink(request, policy: provider.policy, store: view)
        guard case .link(let rule) = decision else {
            guard case .refuse(let refusal) = decision else { preconditionFailure("a decision links or refuses") }
            var refused = try conflict(refusal, request, in: connection)
            if !field.isEmpty, case .conflict(var conflict) = refused {
                conflict.field = field
                refused = .conflict(conflict)
            }
            throw refused
        }
        let created = try IdentityRepository(connection).create(
            userID: userID, provider: request.provider, issuer: request.issuer, subject: request.subject,
            snapshot: IdentitySnapshot(email: nil, emailVerified: false, claims: "{}"), method: .admin, now: now
        )
        try LinkDecisionRepository(connection).append(
            LinkDecisionEntry(
                provider: request.provider, issuer: request.issuer, subject: request.subject, userID: userID,
                decision: "link", reason: nil, rule: rule.name, requestID: actor.requestID
            ),
            now: now
        )
        try AuditRecorder.record(
            .identityLinked, userID: userID, requestID: actor.requestID, now: now,
            detail: "provider=\(request.provider); identity=\(created.id); method=admin; subject=\(request.subject.isEmpty ? "pending" : "given")",
            actor: actor.name, provider: request.provider, in: connection
        )
        return created
    }

    private func conflict(_ refusal: OperatorLinkRefusal, _ request: OperatorLinkRequest, in connection: Connection) throws -> AdministrationError {
        switch refusal {
        case .ownedByAnotherUser(let owner, let identityID):
            return .conflict(.init(
                refusal.code, "this identity of \(request.provider) belongs to user \(owner); it is never moved silently",
                ownerUserID: owner, identityID: identityID
            ))
        case .alreadyLinked(let identityID):
            return .conflict(.init(refusal.code, "user \(request.userID) holds this identity already", ownerUserID: request.userID, identityID: identityID))
        case .issuerChanged(let identityID, let previous):
            let owner = try IdentityRepository(connection).find(id: identityID)?.userID
            return .conflict(.init(
                refusal.code,
                "\(request.provider) knows this subject under its previous issuer \(previous); move its identities with rekey-issuer",
                ownerUserID: owner, identityID: identityID
            ))
        case .oneIdentityPerUser(let identityID):
            return .conflict(.init(
                refusal.code, "user \(request.userID) holds an identity of \(request.provider), which allows one (multiple_identities: deny)",
                ownerUserID: request.userID, identityID: identityID
            ))
        case .pendingIdentityExists(let identityID):
            return .conflict(.init(
                refusal.code, "user \(request.userID) has an identity of \(request.provider) waiting for its first sign-in",
                ownerUserID: request.userID, identityID: identityID
            ))
        case .userInactive:
            return .conflict(.init(refusal.code, "user \(request.userID) is deactivated", ownerUserID: request.userID))
        case .unsafePolicy(let violation):
            return .conflict(.init(refusal.code, "\(request.provider)'s linking policy is unsafe (\(violation))"))
        }
    }
}
