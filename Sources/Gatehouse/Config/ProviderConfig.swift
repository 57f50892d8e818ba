import Accounts
import Foundation
import JSON
import JOSE
import OIDC

/// One element of `providers`: an OpenID Provider people may sign in through.
///
/// Decoding fills `OIDCProviderSettings` (which the OIDC layer acts on) and keeps where the
/// client secret came from, so `check-config` can say so without printing it.
public struct ProviderConfig: Sendable, Equatable {
    public var settings: OIDCProviderSettings
    /// Where the client secret came from; nil when the client authenticates with its key alone.
    public var clientSecret: SecretValue?
    /// How sign-ins through this provider reach accounts (the linking keys).
    public var policy: ProviderPolicy
    /// `promoted`: shown first on the sign-in page, as a primary button.
    public var promoted: Bool = false
    /// `icon`: a path under `/static/` shown on the provider's button, or nil.
    public var icon: String? = nil
    /// `profile`: the named provider whose defaults and rules apply, or nil.
    var profile: ProviderProfile? = nil
    /// What the profile filled in, one `key value` each, for `check-config`.
    var profileFilled: [String] = []
    /// `backchannel_logout`: whether `POST /oidc/{slug}/backchannel-logout` takes this provider's
    /// logout tokens (OIDC Back-Channel Logout 1.0). On by default: the endpoint does nothing
    /// until the provider is told its URL, and every token it takes is verified like an ID token.
    public var backChannelLogout: Bool = true

    public var slug: String { settings.slug }

    static let keys = [
        "slug", "name", "issuer", "client_id", "client_secret", "scopes", "discovery_url", "allowed_algorithms",
        "allow_hmac_id_tokens", "trusted_audiences", "clock_skew_seconds", "response_mode", "token_endpoint_auth_method",
        "userinfo", "login_hint", "prompt", "max_age", "acr_values", "extra_authorization_parameters", "ca_bundle",
        "jwks_min_refetch_seconds", "discovery_refresh_seconds", "promoted", "icon", "client_assertion_key",
        "backchannel_logout",
    ] + ProviderPolicyConfig.keys + ProviderProfile.keys

    /// A warning for each provider whose issuer is plain http on this host while people reach
    /// Gatehouse from elsewhere (review finding: the example configuration's `dev` provider,
    /// kept in production, let anyone able to run a process on the host start the development
    /// provider on its port, which signs anyone in as anyone). Such an issuer is for
    /// development, where `public_url` is loopback too.
    static func warnOfLoopbackIssuers(_ providers: [(provider: ProviderConfig, path: ConfigPath)], publicURL: PublicURL, decoder: ConfigDecoder) {
        guard !EndpointURL.isLoopbackHost(publicURL.host) else { return }
        for (provider, path) in providers {
            guard let issuer = try? EndpointURL.parse(provider.settings.issuer, plainHTTPAllowedForLoopback: true),
                  issuer.scheme == .http, issuer.isLoopback else { continue }
            decoder.warning(
                at: path.appending("issuer"),
                "a plain-http issuer on this host, while server.public_url is not loopback: any local process on that port is "
                    + "this provider (the development provider signs anyone in as anyone); use it for development only"
            )
        }
    }

    /// A warning for each multi-tenant provider that allows several tenants while a protected
    /// host requires groups (review finding): each tenant's administrators assign groups and app
    /// roles to their own people, and a required group is compared by its value alone, so any
    /// allowed tenant can grant a group name (a role like `staff`) meant for another. Group
    /// object ids are unique across tenants; names and roles are not.
    static func warnOfGroupsFromSeveralTenants(
        _ providers: [(provider: ProviderConfig, path: ConfigPath)], requiredGroups: Set<String>, decoder: ConfigDecoder
    ) {
        guard !requiredGroups.isEmpty else { return }
        for (provider, path) in providers {
            guard let tenants = provider.settings.quirks.tenantIssuer?.allowedTenants, tenants.count > 1 else { continue }
            decoder.warning(
                at: path.appending("allowed_tenants"),
                "\(tenants.count) tenants are allowed and a protected host requires groups: each tenant's administrators can give "
                    + "their own people any group name or app role, so require group object ids (unique across tenants), "
                    + "or allow one tenant"
            )
        }
    }

    /// Every provider, with where it sits in the file.
    static func decodeAll(_ root: ObjectReader) -> [(provider: ProviderConfig, path: ConfigPath)] {
        let path = root.path.appending("providers")
        let elements: [JSONValue]
        switch root.member("providers") {
        case nil: return []
        case .array(let list): elements = list
        case .some(let other):
            root.decoder.error(at: path, "expected an array, found \(other.kindDescription)")
            return []
        }
        var providers: [(provider: ProviderConfig, path: ConfigPath)] = []
        var seenSlugs: Set<String> = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            let applied = AppliedProfile.apply(to: element, at: elementPath, decoder: root.decoder)
            let reader = root.decoder.object(applied.element, at: elementPath, keys: keys)
            guard var provider = decode(reader, profile: applied.profile) else { continue }
            provider.profile = applied.profile
            provider.profileFilled = applied.filled
            if !seenSlugs.insert(provider.slug).inserted {
                root.decoder.error(at: reader.path.appending("slug"), "another provider already uses the slug \(ConfigText.quoted(provider.slug))")
                continue
            }
            providers.append((provider, reader.path))
        }
        return providers
    }

    private static func decode(_ reader: ObjectReader, profile: ProviderProfile?) -> ProviderConfig? {
        let decoder = reader.decoder
        let problemsBefore = decoder.errors.count
        let slug = reader.value("slug", .providerSlug, required: true)
        let name = reader.value("name", .nonEmptyString, required: true)
        let issuer = reader.value("issuer", .nonEmptyString, required: true)
        let clientID = reader.value("client_id", .nonEmptyString, required: true)
        let assertionKey = ClientAssertionKeyConfig.decode(reader)
        // A client that signs its own assertions (`private_key_jwt`) may have no secret at all.
        let secret = reader.secret("client_secret", required: reader.member("client_assertion_key") == nil)
        let defaults = OIDCProviderSettings(slug: "", name: "", issuer: "", clientID: "", clientSecret: "")

        if let issuer {
            do throws(OIDCError) {
                _ = try IssuerURLPolicy.check(issuer, plainHTTPAllowedForLoopback: true)
            } catch {
                decoder.error(at: reader.path.appending("issuer"), "\(error.message); plain http is accepted for loopback hosts only")
            }
        }
        let discoveryURL = reader.value("discovery_url", .nullable(.nonEmptyString)) ?? nil
        if let discoveryURL {
            do throws(OIDCError) {
                _ = try EndpointURL.parse(discoveryURL, plainHTTPAllowedForLoopback: true)
            } catch {
                decoder.error(at: reader.path.appending("discovery_url"), error.message)
            }
        }
        let scopes = reader.value("scopes", .list(of: .scopeToken, allowEmpty: false)) ?? defaults.scopes
        // GitHub is OAuth 2.0 without OpenID Connect: it has no `openid` scope.
        if !scopes.contains("openid") && profile != .github {
            decoder.error(at: reader.path.appending("scopes"), "must contain \"openid\": without it the provider returns no ID token")
        }
        let algorithms = reader.value("allowed_algorithms", .list(of: .signatureAlgorithm, allowEmpty: false)) ?? defaults.allowedAlgorithms
        let extra = decodeExtraParameters(reader)
        let caBundle = reader.value("ca_bundle", .nullable(.nonEmptyString)) ?? nil
        let promoted = reader.value("promoted", .boolean) ?? false
        let icon = reader.value("icon", .nullable(.staticAssetPath)) ?? nil
        let backChannelLogout = reader.value("backchannel_logout", .boolean) ?? true
        if let caBundle, !FileManager.default.isReadableFile(atPath: caBundle) {
            decoder.error(at: reader.path.appending("ca_bundle"), "cannot read the CA bundle file \(caBundle)")
        }

        let policy = ProviderPolicyConfig.decode(reader)
        let quirks = ProviderQuirksConfig.decode(reader, profile: profile, issuer: issuer)
        if profile == .github && policy.usernameClaimTrusted {
            // Review finding: the GitHub login is chosen, and changed, by its user.
            decoder.error(at: reader.path.appending("username_claim_trusted"),
                "GitHub logins are chosen and renamed by their users, so the github profile's username claim cannot be trusted: "
                    + "anyone could register a login before its owner's first sign-in")
        }
        if profile == .github && policy.usesCustomEmailClaim && policy.emailClaimTrusted {
            // Review finding: every claim of a GitHub identity but its email is its user's own
            // text (the login, the display name), so a trusted custom claim let a person name
            // themselves `ceo@corp.example` and be linked to that account.
            decoder.error(at: reader.path.appending("email_claim_trusted"),
                "a GitHub identity's only verified address is the email claim, taken from its primary verified address; "
                    + "its other claims (login, name) are chosen by its user, so the github profile cannot trust a custom email claim")
        }

        guard let slug, let name, let issuer, let clientID, secret != nil || assertionKey != nil else { return nil }
        let settings = OIDCProviderSettings(
            slug: slug, name: name, issuer: issuer, clientID: clientID, clientSecret: secret?.value ?? "",
            scopes: scopes,
            discoveryURL: discoveryURL,
            allowedAlgorithms: algorithms,
            allowHMAC: reader.value("allow_hmac_id_tokens", .boolean) ?? defaults.allowHMAC,
            trustedAudiences: reader.value("trusted_audiences", .list(of: .nonEmptyString)) ?? defaults.trustedAudiences,
            clockSkewSeconds: reader.value("clock_skew_seconds", .integer(0...600)) ?? defaults.clockSkewSeconds,
            responseMode: reader.value("response_mode", .choice) ?? defaults.responseMode,
            tokenEndpointAuthMethod: reader.value("token_endpoint_auth_method", .choice) ?? defaults.tokenEndpointAuthMethod,
            clientAssertionKey: assertionKey,
            userinfoEnabled: reader.value("userinfo", .boolean) ?? defaults.userinfoEnabled,
            loginHint: reader.value("login_hint", .nullable(.nonEmptyString)) ?? nil,
            prompt: reader.value("prompt", .nullable(.nonEmptyString)) ?? nil,
            maxAge: reader.value("max_age", .nullable(.integer(0...31_536_000))) ?? nil,
            acrValues: reader.value("acr_values", .list(of: .nonEmptyString)) ?? defaults.acrValues,
            extraAuthorizationParameters: extra,
            caBundlePath: caBundle,
            jwksMinimumRefetchIntervalSeconds: reader.value("jwks_min_refetch_seconds", .integer(1...86_400)) ?? defaults.jwksMinimumRefetchIntervalSeconds,
            discoveryRefreshSeconds: reader.value("discovery_refresh_seconds", .integer(60...604_800)) ?? defaults.discoveryRefreshSeconds,
            quirks: quirks
        )
        // The OIDC layer's own rules (prompt values, HMAC key length, ...), for whatever the
        // key-by-key checks above did not already report at a more precise path.
        if decoder.errors.count == problemsBefore {
            do throws(OIDCError) {
                try settings.validate(plainHTTPAllowedForLoopback: true)
            } catch {
                decoder.error(at: reader.path, error.message)
                return nil
            }
        }
        if settings.allowHMAC {
            decoder.warning(
                at: reader.path.appending("allow_hmac_id_tokens"),
                "HMAC ID tokens are keyed by the client secret: anyone who holds that secret can mint tokens for this provider"
            )
        }
        return ProviderConfig(
            settings: settings, clientSecret: secret, policy: policy, promoted: promoted, icon: icon, backChannelLogout: backChannelLogout
        )
    }

    /// `extra_authorization_parameters`: an object of string values, in file order.
    private static func decodeExtraParameters(_ reader: ObjectReader) -> [(name: String, value: String)] {
        let path = reader.path.appending("extra_authorization_parameters")
        switch reader.member("extra_authorization_parameters") {
        case nil:
            return []
        case .orderedObject(let members):
            var result: [(name: String, value: String)] = []
            for member in members {
                let memberPath = path.appending(member.name)
                guard case .string(let value) = member.value else {
                    reader.decoder.error(at: memberPath, "expected a string, found \(member.value.kindDescription)")
                    continue
                }
                // The OIDC layer's list: a config typo must not switch PKCE off or send the code elsewhere.
                if AuthorizationRequest.reservedParameterNames.contains(member.name) {
                    reader.decoder.error(at: memberPath, "Gatehouse sets this parameter itself (or through its own key); it cannot be overridden here")
                    continue
                }
                result.append((name: member.name, value: value))
            }
            return result
        case .some(let other):
            reader.decoder.error(at: path, "expected an object of strings, found \(other.kindDescription)")
            return []
        }
    }
}

extension ResponseMode: CaseIterable {
    public static let allCases: [ResponseMode] = [.query, .formPost]
}

extension ConfigValueKind where T == String {
    /// A provider slug, used in URLs: 1 to 32 lower-case letters, digits and hyphens, starting with a letter.
    static var providerSlug: ConfigValueKind<String> {
        .text { text in
            let bytes = Array(text.utf8)
            let valid = !bytes.isEmpty && bytes.count <= 32 && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
                && bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
            return valid ? .success(text)
                : .failure(ConfigValueError(message: "expected 1 to 32 lower-case letters, digits and hyphens starting with a letter, found \(ConfigText.quoted(text))"))
        }
    }

    /// A file served by Gatehouse itself under `/static/` (the sign-in page's CSP allows images
    /// from our own origin only): `/static/` and then path segments of letters, digits, `-`,
    /// `_` and `.`, with no dot segment and no query, so the value is also safe in an attribute.
    static var staticAssetPath: ConfigValueKind<String> {
        .text { text in
            let prefix = "/static/"
            let rest = text.hasPrefix(prefix) ? text.dropFirst(prefix.count) : nil
            let segments = rest.map { $0.split(separator: "/", omittingEmptySubsequences: false) } ?? []
            let valid = text.utf8.count <= 256 && !segments.isEmpty && segments.allSatisfy { segment in
                !segment.isEmpty && segment != "." && segment != ".."
                    && segment.utf8.allSatisfy { byte in
                        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                    }
            }
            return valid ? .success(text)
                : .failure(ConfigValueError(message: "expected a path under /static/ such as \"/static/icons/example.svg\" (letters, digits, - _ . and /, no ..), found \(ConfigText.quoted(text))"))
        }
    }

    /// An OAuth scope token (RFC 6749 section 3.3): printable ASCII without space, quote or backslash.
    static var scopeToken: ConfigValueKind<String> {
        .text { text in
            let valid = !text.isEmpty && text.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
            return valid ? .success(text) : .failure(ConfigValueError(message: "expected a scope without spaces or quotes, found \(ConfigText.quoted(text))"))
        }
    }
}

extension ConfigValueKind where T == JWSAlgorithm {
    /// An asymmetric JWS algorithm name; HMAC is switched on with `allow_hmac_id_tokens` instead.
    static var signatureAlgorithm: ConfigValueKind<JWSAlgorithm> {
        .text { text in
            guard let algorithm = JWSAlgorithm(rawValue: text), !OIDCProviderSettings.hmacAlgorithms.contains(algorithm) else {
                let names = JWSAlgorithm.all.filter { !OIDCProviderSettings.hmacAlgorithms.contains($0) }.map(\.rawValue)
                let hint = text.hasPrefix("HS") ? " (HMAC ID tokens are enabled with allow_hmac_id_tokens instead)" : ""
                return .failure(ConfigValueError(message: "expected one of \(ConfigText.alternatives(names)), found \(ConfigText.quoted(text))\(hint)"))
            }
            return .success(algorithm)
        }
    }
}
