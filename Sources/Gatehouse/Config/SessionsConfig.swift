/// `sessions`: how long a sign-in lasts and how its cookie is named and scoped.
public struct SessionsConfig: Sendable, Equatable {
    /// `sessions.idle_timeout_seconds`: a session unused this long ends.
    public var idleTimeoutSeconds: Int
    /// `sessions.absolute_timeout_seconds`: a session ends this long after sign-in, however
    /// busy, so a stolen cookie does not stay useful forever.
    public var absoluteTimeoutSeconds: Int
    /// `sessions.cookie_name`: the name before any `__Host-`/`__Secure-` prefix; see
    /// `GatehouseConfig.sessionCookieName` for the name actually sent.
    public var cookieName: String
    /// `sessions.cookie_domain`: `nil` (the default) scopes the cookie to the public host
    /// alone; a parent domain shares it with every subdomain.
    public var cookieDomain: String?

    public init(
        idleTimeoutSeconds: Int = 28_800,
        absoluteTimeoutSeconds: Int = 604_800,
        cookieName: String = "gatehouse_session",
        cookieDomain: String? = nil
    ) {
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.absoluteTimeoutSeconds = absoluteTimeoutSeconds
        self.cookieName = cookieName
        self.cookieDomain = cookieDomain
    }

    static let keys = ["idle_timeout_seconds", "absolute_timeout_seconds", "cookie_name", "cookie_domain"]

    /// A minute to a year: shorter cannot finish a sign-in, longer is not a session.
    static let lifetimeRange = 60...31_536_000

    static func decode(_ reader: ObjectReader, publicURL: PublicURL?) -> SessionsConfig {
        let defaults = SessionsConfig()
        let config = SessionsConfig(
            idleTimeoutSeconds: reader.value("idle_timeout_seconds", .integer(lifetimeRange)) ?? defaults.idleTimeoutSeconds,
            absoluteTimeoutSeconds: reader.value("absolute_timeout_seconds", .integer(lifetimeRange)) ?? defaults.absoluteTimeoutSeconds,
            cookieName: reader.value("cookie_name", .cookieName) ?? defaults.cookieName,
            cookieDomain: reader.value("cookie_domain", .nullable(.cookieDomain)) ?? defaults.cookieDomain
        )
        if config.idleTimeoutSeconds > config.absoluteTimeoutSeconds {
            reader.decoder.error(
                at: reader.path.appending("idle_timeout_seconds"),
                "must not exceed absolute_timeout_seconds (\(config.absoluteTimeoutSeconds)), found \(config.idleTimeoutSeconds)"
            )
        }
        if let domain = config.cookieDomain, let publicURL, !domainMatches(host: publicURL.host, domain: domain) {
            // The browser would drop a cookie for another domain and sign-in would loop.
            reader.decoder.error(
                at: reader.path.appending("cookie_domain"),
                "must be the public_url host (\(publicURL.host)) or a parent domain of it, found \(ConfigText.quoted(domain))"
            )
        }
        return config
    }

    /// RFC 6265 §5.1.3 domain matching, for names (an IP host never matches a domain).
    static func domainMatches(host: String, domain: String) -> Bool {
        let host = host.lowercased(), domain = domain.lowercased()
        return host == domain || host.hasSuffix("." + domain)
    }
}

extension ConfigValueKind where T == String {
    /// An RFC 6265 cookie name (an RFC 9110 token) without a `__Host-`/`__Secure-` prefix,
    /// which Gatehouse adds itself from the public URL and cookie domain.
    static var cookieName: ConfigValueKind<String> {
        .text { text in
            let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
            let isToken = !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || tokenSymbols.contains(byte)
            }
            guard isToken else {
                return .failure(ConfigValueError(message: "expected a cookie name of 1 to 64 letters, digits and !#$%&'*+-.^_`|~, found \(ConfigText.quoted(text))"))
            }
            let lowered = text.lowercased()
            if lowered.hasPrefix("__host-") || lowered.hasPrefix("__secure-") {
                return .failure(ConfigValueError(message: "leave out the __Host-/__Secure- prefix: Gatehouse adds the right one from public_url and cookie_domain; found \(ConfigText.quoted(text))"))
            }
            return .success(text)
        }
    }

    /// A DNS name for the cookie `Domain` attribute: no leading dot, no IP address.
    static var cookieDomain: ConfigValueKind<String> {
        .text { text in
            if text.hasPrefix(".") {
                return .failure(ConfigValueError(message: "write the domain without a leading dot, found \(ConfigText.quoted(text))"))
            }
            guard HostName.isValid(text), !HostName.looksNumeric(text) else {
                return .failure(ConfigValueError(message: "expected a domain name such as \"example.com\", found \(ConfigText.quoted(text))"))
            }
            return .success(text.lowercased())
        }
    }
}

extension ConfigValueKind {
    /// `inner`, or JSON `null` for "not set". An empty override also means "not set": the
    /// environment has no other way to say null.
    static func nullable<Wrapped>(_ inner: ConfigValueKind<Wrapped>) -> ConfigValueKind<Wrapped?> where T == Wrapped? {
        ConfigValueKind(
            decodeJSON: { json, path, decoder in
                if json == .null { return .some(nil) }
                return inner.decodeJSON(json, path, decoder).map { .some($0) }
            },
            parseText: { text in
                if text.isEmpty { return .success(nil) }
                return inner.parseText(text).map { .some($0) }
            }
        )
    }
}
