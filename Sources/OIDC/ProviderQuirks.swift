/// What a provider does beyond plain OpenID Connect, as its profile turns it on: each quirk is
/// off by default, and each is a rule of its own applied where the protocol step happens.
public struct ProviderQuirks: Sendable, Equatable {
    /// GitHub: OAuth 2.0 without ID tokens; who signed in comes from its REST API.
    public var gitHub: GitHubEndpoints?
    /// Entra ID's multi-tenant endpoints: the issuer is a template over the token's tenant.
    public var tenantIssuer: TenantIssuer?
    /// Which claims make the identity's subject.
    public var subject: SubjectRule
    /// Google: the `hd` claims accepted; empty accepts any (or none).
    public var hostedDomains: [String]
    /// A broker (CILogon): the claim naming the upstream identity provider, recorded on the identity.
    public var upstreamIdPClaim: String?

    public init(
        gitHub: GitHubEndpoints? = nil, tenantIssuer: TenantIssuer? = nil, subject: SubjectRule = .sub,
        hostedDomains: [String] = [], upstreamIdPClaim: String? = nil
    ) {
        self.gitHub = gitHub
        self.tenantIssuer = tenantIssuer
        self.subject = subject
        self.hostedDomains = hostedDomains
        self.upstreamIdPClaim = upstreamIdPClaim
    }
}

/// Which claims make an identity's subject.
public enum SubjectRule: String, Sendable, Equatable {
    /// `sub`, as OpenID Connect says.
    case sub
    /// Entra ID's object id within its tenant, `<tid>/<oid>`: the same for one person across
    /// every application of the tenant, where Entra's `sub` is pairwise per application.
    case objectAndTenant = "oid_tid"
}

extension SubjectRule {
    /// The subject of a verified ID token under this rule.
    public func subject(of token: IDTokenClaims) throws(OIDCError) -> String {
        switch self {
        case .sub:
            return token.subject
        case .objectAndTenant:
            let claims = token.all
            guard let tenant = claims["tid"]?.stringValue, let object = claims["oid"]?.stringValue,
                  Self.isIdentifier(tenant), Self.isIdentifier(object) else {
                throw .make(.subjectUnavailable, "the ID token has no well-formed tid and oid")
            }
            return tenant + "/" + object
        }
    }

    /// Entra's ids are GUIDs; anything of letters, digits and hyphens up to 64 bytes is taken,
    /// so a `/` can never make two different pairs look alike.
    private static func isIdentifier(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
    }
}

/// An issuer that names the tenant (Entra ID's `common` and `organizations` endpoints publish
/// `https://login.microsoftonline.com/{tenantid}/v2.0`): a token's `iss` must be `template`
/// with `{tenantid}` replaced by the token's own `tid`, and `tid` must be allowed.
public struct TenantIssuer: Sendable, Equatable {
    public static let placeholder = "{tenantid}"
    public let template: String
    /// The tenants whose people may sign in; empty refuses every multi-tenant sign-in.
    public let allowedTenants: [String]

    public init(template: String, allowedTenants: [String]) {
        self.template = template
        self.allowedTenants = allowedTenants
    }

    /// The issuer of a token from `tenant`.
    public func issuer(forTenant tenant: String) -> String {
        template.replacing(Self.placeholder, with: tenant)
    }
}
