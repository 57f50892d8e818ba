import Accounts
import JOSE
import Store

extension Administration {
    /// The decision a sign-in with these claims through `provider` would get now, with what the
    /// engine read and why; writes nothing (the store is only read, in a read transaction).
    /// Without `iss`, the provider's configured issuer is assumed, as its ID tokens carry.
    public func simulateLogin(provider slug: String, claims: [String: JSONValue]) throws -> SimulationReport {
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
}
