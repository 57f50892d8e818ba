import OIDC
import Store

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
}
