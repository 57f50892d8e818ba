import Accounts
import JOSE
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

extension Administration {
    /// The decision a sign-in with these claims through `provider` would get now, with what the
    /// engine read and why; writes nothing (the store is only read, in a read transaction).
    /// Without `iss`, the provider's configured issuer is assumed, as its ID tokens carry.
    public func simulateLogin(provider slug: String, claims: [String: JOSE.JSONValue]) throws -> SimulationReport {
        let provider = try provider(slug)
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty, subject.utf8.count <= 255 else {
            throw AdministrationError.invalid("claims/sub", "the claims need a \"sub\" string of 1 to 255 bytes")
        }
        if let issuer = claims["iss"], !(1...2048).contains(issuer.stringValue?.utf8.count ?? 0) {
            throw AdministrationError.invalid("claims/iss", "when given, \"iss\" is a string of 1 to 2048 bytes")
        }
        let issuer = claims["iss"]?.stringValue ?? provider.settings.issuer
        let identity: IncomingIdentity
        do {
            identity = try IncomingIdentity(provider: slug, issuer: issuer, subject: subject, claims: ClaimMapping.claimValues(claims))
        } catch {
            throw AdministrationError.invalid("claims", "an identity needs a provider, an issuer and a subject")
        }
        return SimulationReport(identity: identity, result: try linking.simulate(identity))
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
