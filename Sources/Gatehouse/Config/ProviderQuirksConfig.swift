import OIDC

/// The OIDC layer's `ProviderQuirks` for a provider object, from its profile and the
/// profile-only keys (`base_url`, `tenant`, `allowed_tenants`, `subject_rule`, `hosted_domains`).
enum ProviderQuirksConfig {
    static func decode(_ reader: ObjectReader, profile: ProviderProfile?, issuer: String?) -> ProviderQuirks {
        var quirks = ProviderQuirks()
        switch profile {
        case .github?:
            quirks.gitHub = GitHubEndpoints(baseURL: reader.value("base_url", .nonEmptyString) ?? GitHubEndpoints.gitHubDotCom)
        case .entra?:
            let tenant = reader.value("tenant", .nonEmptyString, required: true)
            _ = reader.value("authority", .nonEmptyString)
            quirks.subject = reader.value("subject_rule", .choice) ?? .sub
            let allowed = reader.value("allowed_tenants", .list(of: .nonEmptyString)) ?? []
            if let tenant, ProviderProfile.entraMultiTenant.contains(tenant) {
                if let issuer, issuer.contains(TenantIssuer.placeholder) {
                    quirks.tenantIssuer = TenantIssuer(template: issuer, allowedTenants: allowed)
                } else {
                    reader.decoder.error(at: reader.path.appending("issuer"), "a multi-tenant issuer must contain \(TenantIssuer.placeholder)")
                }
                if allowed.isEmpty {
                    reader.decoder.warning(
                        at: reader.path.appending("allowed_tenants"),
                        "no tenant is allowed: every sign-in through the \(tenant) endpoint is refused until tenant ids are listed here"
                    )
                }
            } else if !allowed.isEmpty {
                reader.decoder.error(at: reader.path.appending("allowed_tenants"), "only for the multi-tenant endpoints (tenant \"common\" or \"organizations\")")
            }
        case .google?:
            quirks.hostedDomains = reader.value("hosted_domains", .list(of: .emailDomain)) ?? []
        case .cilogon?:
            quirks.upstreamIdPClaim = "idp"
        case .cognito?, nil:
            break
        }
        return quirks
    }
}

extension SubjectRule: CaseIterable {
    public static let allCases: [SubjectRule] = [.sub, .objectAndTenant]
}
