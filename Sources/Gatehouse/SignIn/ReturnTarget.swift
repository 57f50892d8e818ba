import OIDC

/// Where a sign-in may send the person afterwards: a path on Gatehouse's own origin (the
/// `NextPath` rules), or an absolute URL whose origin is exactly one of
/// `forward_auth.protected_hosts`, so that a person stopped at a protected application comes
/// back to the page they asked for. Anything else becomes `/`: `next` is attacker-supplied, and
/// a redirect to any other host would make Gatehouse an open redirector.
///
/// The absolute form is read narrowly rather than by a general URL parser: printable ASCII
/// only, no backslash (browsers read it as `/`), the authority parsed by the same rules as
/// `server.public_url` (so user info such as `app.example.com@evil.example` is refused), and the
/// rest either empty or a path. The origin is then compared as (scheme, host, port), so
/// `https://app.example.com.evil.example` or another port or scheme never matches.
public struct ReturnTarget: Sendable {
    private let protectedOrigins: Set<PublicURL>

    public init(protectedOrigins: some Sequence<PublicURL>) {
        self.protectedOrigins = Set(protectedOrigins)
    }

    init(config: ForwardAuthConfig) {
        self.init(protectedOrigins: config.protectedHosts.map(\.url))
    }

    /// `raw` when acceptable (an absolute URL comes back with its origin in canonical form),
    /// otherwise `NextPath.fallback`.
    public func validate(_ raw: String?) -> String {
        guard let raw else { return NextPath.fallback }
        if raw.hasPrefix("/") { return NextPath.validate(raw) }
        return absolute(raw) ?? NextPath.fallback
    }

    /// The canonical form of `raw` when it is an absolute URL on a protected origin.
    func absolute(_ raw: String) -> String? {
        let bytes = raw.utf8
        guard !protectedOrigins.isEmpty, bytes.count <= NextPath.maximumLength,
              bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }),
              let separator = raw.range(of: "://")
        else { return nil }
        let afterScheme = raw[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let rest = afterScheme[authorityEnd...]
        // A query or fragment straight after the authority is legal but never needed here.
        guard rest.isEmpty || rest.hasPrefix("/") else { return nil }
        guard case .success(let origin) = PublicURL.parse(String(raw[..<authorityEnd])),
              protectedOrigins.contains(origin)
        else { return nil }
        return origin.origin + (rest.isEmpty ? "/" : rest)
    }
}
