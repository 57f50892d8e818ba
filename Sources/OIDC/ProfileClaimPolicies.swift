import JOSE
import MatchingKeys

// The claim rules that provider profiles add to OIDC Core's; like those, messages never quote a
// claim value.

extension OIDCProviderSettings {
    /// The `iss` rule of every token this provider signs, ID tokens and logout tokens alike: the
    /// configured issuer, or under a tenant template (Entra's multi-tenant endpoints) the issuer
    /// of the token's own allowed tenant. One rule, so a logout token from a tenant is accepted
    /// exactly when that tenant's sign-ins are (review finding: logout tokens were held to the
    /// template itself, which no token carries, and every one was refused).
    public var issuerPolicy: any IDTokenClaimPolicy {
        if let tenantIssuer = quirks.tenantIssuer { return TenantIssuerPolicy(tenantIssuer) }
        return IssuerPolicy(issuer: issuer)
    }
}

/// Entra ID multi-tenant: `tid` must be an allowed tenant, and `iss` exactly the issuer template
/// with that tenant (this replaces `IssuerPolicy`, which compares with one fixed issuer). A
/// token from any other tenant of the shared endpoint is refused, however well it is signed.
public struct TenantIssuerPolicy: IDTokenClaimPolicy {
    public let tenantIssuer: TenantIssuer
    public var reason: PolicyReason {
        PolicyReason(code: .tenantNotAllowed, sentence: "a token's tid must be an allowed tenant and its iss the issuer of that tenant")
    }

    public init(_ tenantIssuer: TenantIssuer) { self.tenantIssuer = tenantIssuer }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard case .string(let tenant)? = claims.member("tid"), !tenant.isEmpty else { throw reason.failure("tid is missing") }
        guard tenantIssuer.allowedTenants.contains(where: { ExactMatch.equal($0, tenant) }) else {
            throw reason.failure("the tenant is not among the allowed tenants")
        }
        guard case .string(let iss)? = claims.issuer else { throw reason.failure("iss is missing") }
        guard ExactMatch.equal(iss, tenantIssuer.issuer(forTenant: tenant)) else { throw reason.failure("iss is not the tenant's issuer") }
    }
}

/// Google Workspace: the `hd` claim (the account's hosted domain, set by Google, never by the
/// person) must be one of those configured. The email's domain is not the rule: a personal
/// Google account can carry an address at any domain. Both sides are compared by their domain
/// key (`MatchingKey.domain`, IDNA through libidn2), the one rule for "the same domain".
public struct HostedDomainPolicy: IDTokenClaimPolicy {
    public let allowed: [String]
    private let allowedKeys: Set<String>
    public var reason: PolicyReason { PolicyReason(code: .hostedDomainNotAllowed, sentence: "an ID token's hd must be a configured hosted domain") }

    public init(allowed: [String]) {
        self.allowed = allowed
        allowedKeys = Set(allowed.compactMap(MatchingKey.domain))
    }

    public func check(_ claims: IDTokenClaimSet) throws(OIDCError) {
        guard case .string(let domain)? = claims.member("hd") else { throw reason.failure("hd is missing: not a Workspace account") }
        guard let key = MatchingKey.domain(domain), allowedKeys.contains(key) else {
            throw reason.failure("hd is not a configured hosted domain")
        }
    }
}
