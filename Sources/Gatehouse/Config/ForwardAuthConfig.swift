import JSON
import MatchingKeys

/// `forward_auth`: Gatehouse as the session check in front of other applications
/// (`GET /auth/verify` behind nginx `auth_request`, Traefik ForwardAuth, Caddy `forward_auth`).
public struct ForwardAuthConfig: Sendable, Equatable {
    /// `forward_auth.groups_claim`: the claim whose values become the session's groups at
    /// sign-in, sent on as `X-Auth-Request-Groups` and checked against `required_groups`.
    public var groupsClaim: String
    /// `forward_auth.protected_hosts`: the applications behind the proxy, in file order.
    public var protectedHosts: [ProtectedHost]

    /// The protected applications' origins: where a sign-in form may end up after its redirect
    /// to `next`, so the sign-in page's CSP `form-action` must name them.
    var formTargets: [String] { protectedHosts.map(\.url.origin) }
    /// Every group some protected host requires.
    var requiredGroups: Set<String> { Set(protectedHosts.flatMap(\.requiredGroups)) }

    public init(groupsClaim: String = "groups", protectedHosts: [ProtectedHost] = []) {
        self.groupsClaim = groupsClaim
        self.protectedHosts = protectedHosts
    }

    /// One protected application: its origin and the optional rules a session must meet there.
    public struct ProtectedHost: Sendable, Equatable {
        /// `url`: scheme, host and port only, like `server.public_url`. Only these origins may
        /// be a sign-in's `next` as an absolute URL, and only for them does `/auth/verify?rd=1`
        /// rebuild the original URL from the proxy's headers.
        public var url: PublicURL
        /// `allowed_email_domains`: when not empty, the user's verified email must be at one of
        /// these domains exactly (compared by matching key; subdomains are not included). An
        /// unverified email never satisfies it.
        public var allowedEmailDomains: EmailDomainAllowList
        /// `required_groups`: every one of these must be among the session's groups.
        public var requiredGroups: [String]
        /// `remote_user`: what `Remote-User` and `X-Auth-Request-User` carry.
        public var remoteUser: RemoteUserAttribute

        public init(
            url: PublicURL, allowedEmailDomains: [String] = [], requiredGroups: [String] = [], remoteUser: RemoteUserAttribute = .username
        ) {
            self.url = url
            self.allowedEmailDomains = EmailDomainAllowList(allowedEmailDomains)
            self.requiredGroups = requiredGroups
            self.remoteUser = remoteUser
        }
    }

    /// What a protected application is told the user is called (`remote_user`). Only verified
    /// values are ever sent: when the chosen attribute is not verified, the application gets the
    /// user's stable Gatehouse id, `user:<id>`, which no username can look like (`UsernameRules`).
    public enum RemoteUserAttribute: String, Sendable, Equatable, CaseIterable {
        /// The username when verified (set by an operator, a local account, or a trusted claim).
        case username
        /// The email when verified.
        case email
        /// Always `user:<id>`.
        case id
    }

    static let keys = ["groups_claim", "protected_hosts"]
    static let hostKeys = ["url", "allowed_email_domains", "required_groups", "remote_user"]

    static func decode(_ reader: ObjectReader, publicURL: PublicURL?, sessions: SessionsConfig) -> ForwardAuthConfig {
        let defaults = ForwardAuthConfig()
        let groupsClaim = reader.value("groups_claim", .nonEmptyString) ?? defaults.groupsClaim
        let path = reader.path.appending("protected_hosts")
        let elements: [JSONValue]
        switch reader.member("protected_hosts") {
        case nil: elements = []
        case .array(let list): elements = list
        case .some(let other):
            reader.decoder.error(at: path, "expected an array of objects, found \(other.kindDescription)")
            elements = []
        }
        var hosts: [ProtectedHost] = []
        var seen: Set<PublicURL> = []
        for (index, element) in elements.enumerated() {
            let hostReader = reader.decoder.object(element, at: path.appending(index: index), keys: hostKeys)
            guard let host = decodeHost(hostReader, publicURL: publicURL, sessions: sessions) else { continue }
            if !seen.insert(host.url).inserted {
                reader.decoder.error(at: hostReader.path.appending("url"), "\(host.url.origin) is listed more than once")
                continue
            }
            hosts.append(host)
        }
        return ForwardAuthConfig(groupsClaim: groupsClaim, protectedHosts: hosts)
    }

    private static func decodeHost(_ reader: ObjectReader, publicURL: PublicURL?, sessions: SessionsConfig) -> ProtectedHost? {
        let url = reader.value("url", .publicURL, required: true)
        let domains = reader.value("allowed_email_domains", .list(of: .emailDomain)) ?? []
        let groups = reader.value("required_groups", .list(of: .groupValue)) ?? []
        let remoteUser = reader.value("remote_user", .choice) ?? RemoteUserAttribute.username
        guard let url else { return nil }
        if let publicURL {
            checkCookieReaches(url, publicURL: publicURL, sessions: sessions, at: reader.path.appending("url"), decoder: reader.decoder)
        }
        return ProtectedHost(url: url, allowedEmailDomains: domains, requiredGroups: groups, remoteUser: remoteUser)
    }

    /// The proxy checks the session with the cookies the browser sent to the protected host, so
    /// the session cookie must be one the browser sends there; otherwise every sign-in succeeds
    /// and lands back on a host that still looks signed out, and the person loops for ever.
    private static func checkCookieReaches(
        _ url: PublicURL, publicURL: PublicURL, sessions: SessionsConfig, at path: ConfigPath, decoder: ConfigDecoder
    ) {
        if publicURL.isHTTPS, !url.isHTTPS {
            decoder.error(at: path, "the session cookie is Secure (public_url is https), so the browser never sends it to \(url.origin); protect it over https")
            return
        }
        // Cookies ignore ports: a host-only cookie reaches every port of the public host.
        if url.host == publicURL.host { return }
        if let domain = sessions.cookieDomain, SessionsConfig.domainMatches(host: url.host, domain: domain) { return }
        let fix = sessions.cookieDomain == nil
            ? "set sessions.cookie_domain to a parent domain of both hosts"
            : "sessions.cookie_domain (\(sessions.cookieDomain ?? "")) is not a parent of it"
        decoder.error(
            at: path,
            "the session cookie never reaches \(url.host), so sign-in there would loop: \(fix), or serve it from the public_url host (\(publicURL.host))"
        )
    }
}

extension ConfigValueKind where T == String {
    /// An email domain such as `example.com` or `münchen.de`, kept as its matching key (the
    /// ASCII form of IDNA2008/UTS #46, lower case), the form email domains are compared in.
    static var emailDomain: ConfigValueKind<String> {
        .text { text in
            guard !text.hasPrefix("@"), let key = MatchingKey.domain(text) else {
                return .failure(ConfigValueError(message: "expected a domain such as \"example.com\" (no @), found \(ConfigText.quoted(text))"))
            }
            return .success(key)
        }
    }

    /// A group value as sessions store them (`SessionGroups`): 1 to 255 bytes, no comma (the
    /// header joins groups with commas) and no control characters. Anything else could never match.
    static var groupValue: ConfigValueKind<String> {
        .text { text in
            guard SessionGroups.isStorable(text) else {
                return .failure(ConfigValueError(message: "expected 1 to \(SessionGroups.maximumValueBytes) bytes without commas or control characters, found \(ConfigText.quoted(text))"))
            }
            return .success(text)
        }
    }
}
