import OIDC
import Store

/// What moving a provider's identities to a new issuer does, or would do on a dry run.
public struct RekeyReport: Sendable, Equatable {
    public let provider: String
    public let from: String
    public let to: String
    public let dryRun: Bool
    /// The identities under `from`.
    public let identityIDs: [Int64]
    /// Those whose subject `to` already has: any makes the move impossible.
    public let collisions: [Int64]
}

/// One configured provider as an operator sees it: its policy (with the linking guard's
/// verdict, which `AdminRepresentation` computes from it), the running connection's discovery
/// and key-set status (nil in the command line), and how many identities it has.
public struct ProviderOverview: Sendable {
    public let provider: ProviderConfig
    public let status: ProviderConnectionStatus?
    public let linkedIdentities: Int
    public let pendingIdentities: Int
}

extension Administration {
    public func providers() throws -> [ProviderOverview] {
        let counts = try read { try IdentityRepository($0).countsByProvider() }
        return config.providers.map { overview($0, counts: counts[$0.slug]) }
    }

    public func providerOverview(_ slug: String) throws -> ProviderOverview {
        let provider = try provider(slug)
        let counts = try read { try IdentityRepository($0).countsByProvider() }
        return overview(provider, counts: counts[slug])
    }

    private func overview(_ provider: ProviderConfig, counts: (linked: Int, pending: Int)?) -> ProviderOverview {
        ProviderOverview(
            provider: provider, status: connections[provider.slug]?.status(),
            linkedIdentities: counts?.linked ?? 0, pendingIdentities: counts?.pending ?? 0
        )
    }

    /// Moves `provider`'s identities from issuer `from` to `to` in one audited transaction, or
    /// (`dryRun`) reports what would move. Refused, changing nothing, when the new issuer
    /// already has one of the subjects.
    public func rekeyIssuer(provider slug: String, from: String, to: String, dryRun: Bool, by actor: AdministrationActor) throws -> RekeyReport {
        _ = try provider(slug)
        var problems: [AdministrationError.FieldProblem] = []
        if from.isEmpty || from.utf8.count > 2048 { problems.append(.init("from", "an issuer is 1 to 2048 bytes")) }
        if to.isEmpty || to.utf8.count > 2048 { problems.append(.init("to", "an issuer is 1 to 2048 bytes")) }
        if !from.isEmpty && from.utf8.elementsEqual(to.utf8) { problems.append(.init("to", "must differ from \"from\"")) }
        guard problems.isEmpty else { throw AdministrationError.invalid(problems) }
        let now = clock()
        let body = { (connection: Connection) throws -> RekeyReport in
            let identities = IdentityRepository(connection)
            let plan = try identities.rekeyPlan(provider: slug, from: from, to: to)
            let report = RekeyReport(provider: slug, from: from, to: to, dryRun: dryRun, identityIDs: plan.moving, collisions: plan.colliding)
            guard !dryRun else { return report }
            guard plan.colliding.isEmpty else {
                throw AdministrationError.conflict(.init(
                    "rekey_collision",
                    "\(plan.colliding.count) identit\(plan.colliding.count == 1 ? "y has" : "ies have") a subject the new issuer already has; nothing was changed",
                    identityID: plan.colliding.first
                ))
            }
            let moved = try identities.rekeyIssuer(provider: slug, from: from, to: to)
            try AuditRecorder.record(
                .issuerRekeyed, requestID: actor.requestID, now: now, detail: "provider=\(slug); from=\(from); to=\(to); identities=\(moved)",
                actor: actor.name, provider: slug, in: connection
            )
            return report
        }
        return dryRun ? try read(body) : try write(body)
    }
}
