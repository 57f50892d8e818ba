import JSON
import OIDC

/// `providers[N].profile`: documented defaults for a provider people know by name, and the
/// rules of its protocol quirks. A profile fills only the keys the operator left out (every
/// default can be overridden), and `check-config` prints what it filled.
enum ProviderProfile: String, CaseIterable, Sendable {
    case github, entra, google, cognito, cilogon

    /// The keys a profile reads beyond the generic ones, each allowed only with its profile.
    static let ownKeys: [(key: String, profile: ProviderProfile)] = [
        ("base_url", .github), ("tenant", .entra), ("allowed_tenants", .entra), ("authority", .entra),
        ("subject_rule", .entra), ("hosted_domains", .google),
    ]
    static let keys = ["profile"] + ownKeys.map(\.key)

    static let entraAuthority = "https://login.microsoftonline.com"
    /// Entra ID's endpoints that serve many tenants, whose issuer names the token's tenant.
    static let entraMultiTenant: Set<String> = ["common", "organizations"]

    /// The provider object with this profile's defaults added where the operator wrote nothing,
    /// and the keys it added, in order. `members` are the operator's own.
    func defaults(for members: [String: JSONValue]) -> [JSONObjectMember] {
        func text(_ key: String) -> String? {
            if case .string(let value)? = members[key] { return value }
            return nil
        }
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        switch self {
        case .github:
            return [
                JSONObjectMember(name: "issuer", value: .string(GitHubEndpoints(baseURL: text("base_url") ?? GitHubEndpoints.gitHubDotCom).web)),
                JSONObjectMember(name: "scopes", value: strings(["read:user", "user:email"])),
                JSONObjectMember(name: "userinfo", value: .bool(false)),
            ]
        case .entra:
            guard let tenant = text("tenant") else { return [] }
            let authority = Self.trimmed(text("authority") ?? Self.entraAuthority)
            guard Self.entraMultiTenant.contains(tenant) else {
                return [JSONObjectMember(name: "issuer", value: .string("\(authority)/\(tenant)/v2.0"))]
            }
            return [
                JSONObjectMember(name: "issuer", value: .string("\(authority)/\(TenantIssuer.placeholder)/v2.0")),
                JSONObjectMember(name: "discovery_url", value: .string("\(authority)/\(tenant)/v2.0/.well-known/openid-configuration")),
            ]
        case .google:
            var filled = [JSONObjectMember(name: "issuer", value: .string("https://accounts.google.com"))]
            // One hosted domain: Google's account chooser shows only accounts of it (`hd` is a
            // hint there; the claim is what is checked).
            if case .array(let domains)? = members["hosted_domains"], domains.count == 1, case .string(let domain) = domains[0] {
                filled.append(JSONObjectMember(name: "extra_authorization_parameters", value: .orderedObject([JSONObjectMember(name: "hd", value: .string(domain))])))
            }
            return filled
        case .cognito:
            // Cognito sends `email_verified` as the string "true" (or "false").
            return [JSONObjectMember(name: "email_verified_strings", value: .bool(true))]
        case .cilogon:
            // A broker: one person, many upstream providers, a subject per upstream provider.
            return [
                JSONObjectMember(name: "issuer", value: .string("https://cilogon.org")),
                JSONObjectMember(name: "scopes", value: strings(["openid", "email", "profile", "org.cilogon.userinfo"])),
                JSONObjectMember(name: "multiple_identities", value: .string("allow")),
            ]
        }
    }

    private static func trimmed(_ url: String) -> String {
        var text = Substring(url)
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}

/// A provider object's profile, applied: the object with the filled defaults, and what was
/// filled, in words for `check-config`.
struct AppliedProfile {
    let profile: ProviderProfile?
    let element: JSONValue
    let filled: [String]

    /// Reads `profile` from a provider object and adds its defaults; reports an unknown profile
    /// and a profile-only key used without its profile.
    static func apply(to element: JSONValue, at path: ConfigPath, decoder: ConfigDecoder) -> AppliedProfile {
        guard case .orderedObject(let members) = element else { return AppliedProfile(profile: nil, element: element, filled: []) }
        let byKey = Dictionary(members.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var profile: ProviderProfile?
        switch byKey["profile"] {
        case nil: break
        case .string(let name)?:
            profile = ProviderProfile(rawValue: name)
            if profile == nil {
                decoder.error(
                    at: path.appending("profile"),
                    "expected one of \(ConfigText.alternatives(ProviderProfile.allCases.map(\.rawValue))), found \(ConfigText.quoted(name))"
                )
            }
        case .some(let other):
            decoder.error(at: path.appending("profile"), "expected a string, found \(other.kindDescription)")
        }
        for (key, owner) in ProviderProfile.ownKeys where byKey[key] != nil && profile != owner {
            decoder.error(at: path.appending(key), "only with \"profile\": \(ConfigText.quoted(owner.rawValue))")
        }
        guard let profile else { return AppliedProfile(profile: nil, element: element, filled: []) }
        let added = profile.defaults(for: byKey).filter { byKey[$0.name] == nil }
        return AppliedProfile(
            profile: profile, element: .orderedObject(members + added),
            filled: added.map { "\($0.name) \(Self.render($0.value))" }
        )
    }

    /// A filled value as `check-config` prints it.
    private static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return ConfigText.quoted(text)
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .null: return "null"
        case .array(let elements): return "[" + elements.map(render).joined(separator: ", ") + "]"
        case .orderedObject(let members): return "{" + members.map { "\(ConfigText.quoted($0.name)): \(render($0.value))" }.joined(separator: ", ") + "}"
        case .object(let members): return "{" + members.sorted { $0.key < $1.key }.map { "\(ConfigText.quoted($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
