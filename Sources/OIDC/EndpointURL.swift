/// An absolute http(s) URL that Gatehouse may talk to: an issuer, a discovery URL, or an endpoint.
///
/// The parser is deliberately narrower than RFC 3986: only printable ASCII, no user info (so
/// `https://good.example@evil.example` cannot fool a reader), a host that is a DNS-like name, a
/// dotted-quad IPv4 address or a bracketed IPv6 address (numeric-looking names such as `127.1`
/// or `0x7f.1` are refused rather than interpreted), a port from 1 to 65535, and never a fragment
/// (RFC 6749 section 3.1). Plain http is allowed only on a loopback host and only when the caller
/// says so (development and tests): everything else must be https.
public struct EndpointURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Equatable {
        case http, https
    }

    /// URLs longer than this are refused; no provider needs more.
    public static let maximumLength = 4096

    /// The URL exactly as given.
    public let text: String
    public let scheme: Scheme
    /// The host as written, IPv6 without brackets.
    public let host: String
    /// The explicit port, when there is one.
    public let port: Int?
    /// The path as written (possibly empty).
    public let path: String
    /// The query without its `?`, when there is one.
    public let query: String?

    public var description: String { text }

    /// `scheme://host[:port]`, as a Content-Security-Policy source or an Origin header names it.
    public var origin: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost)" + (port.map { ":\($0)" } ?? "")
    }

    /// Whether the host is `localhost`, in 127.0.0.0/8, or `::1`.
    public var isLoopback: Bool { Self.isLoopbackHost(host) }

    /// Parses `text` and applies the scheme rule. `allowsQuery` is false for issuers.
    public static func parse(_ text: String, allowsQuery: Bool = true, plainHTTPAllowedForLoopback: Bool) throws(OIDCError) -> EndpointURL {
        func refuse(_ why: String) -> OIDCError { .make(.invalidURL, "URL \(why)") }
        guard !text.isEmpty else { throw refuse("is empty") }
        guard text.utf8.count <= maximumLength else { throw refuse("is longer than \(maximumLength) bytes") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw refuse("contains whitespace, control or non-ASCII characters")
        }
        guard !text.contains("\\") else { throw refuse("contains a backslash") }
        guard !text.contains("#") else { throw refuse("has a fragment") }

        guard let separator = text.range(of: "://") else { throw refuse("is not absolute (no scheme://)") }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            throw refuse("has a scheme other than https or http")
        }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var afterAuthority = rest[authorityEnd...]
        guard !authority.contains("@") else { throw refuse("contains user info") }

        let (host, port) = try parseAuthority(authority)
        var query: String?
        if let questionMark = afterAuthority.firstIndex(of: "?") {
            guard allowsQuery else { throw refuse("has a query, which an issuer may not have") }
            query = String(afterAuthority[afterAuthority.index(after: questionMark)...])
            afterAuthority = afterAuthority[..<questionMark]
        }
        guard hasValidPercentEscapes(afterAuthority), hasValidPercentEscapes(query ?? "") else {
            throw refuse("has a malformed percent-escape")
        }
        let url = EndpointURL(text: text, scheme: scheme, host: host, port: port, path: String(afterAuthority), query: query)
        if scheme == .http {
            guard url.isLoopback else { throw refuse("uses plain http on a host that is not loopback") }
            guard plainHTTPAllowedForLoopback else { throw refuse("uses plain http, which is allowed only for loopback development") }
        }
        return url
    }

    private static func parseAuthority(_ authority: Substring) throws(OIDCError) -> (String, Int?) {
        func refuse(_ why: String) -> OIDCError { .make(.invalidURL, "URL \(why)") }
        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw refuse("has an IPv6 host without a closing bracket") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refuse("has bytes after its IPv6 host") }
                portPart = after.dropFirst()
            }
            guard isIPv6Literal(hostPart) else { throw refuse("has a bracketed host that is not an IPv6 address") }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard !hostPart.isEmpty else { throw refuse("has no host") }
            if looksNumeric(hostPart) {
                guard ipv4Octets(hostPart) != nil else { throw refuse("has a numeric host that is not a dotted-quad IPv4 address") }
            } else {
                guard isHostName(hostPart) else { throw refuse("has a host with characters a host name cannot have") }
            }
        }
        var port: Int?
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portPart), (1...65535).contains(value) else {
                throw refuse("has a port that is not a number from 1 to 65535")
            }
            port = value
        }
        return (String(hostPart), port)
    }

    /// Whether `host` (IPv6 without brackets) is a loopback host. Only `::1` is accepted for IPv6,
    /// spelled that way: other spellings are not worth the parser that would recognise them.
    public static func isLoopbackHost(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        if host == "::1" { return true }
        if let octets = ipv4Octets(Substring(host)) { return octets[0] == 127 }
        return false
    }

    /// Letters, digits, hyphens, underscores and dots, in labels of 1 to 63 bytes, 253 in all.
    private static func isHostName(_ host: Substring) -> Bool {
        guard host.utf8.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
        }
    }

    /// Whether every dot-separated label is made of hex-ish digits: such a host is an address or nothing.
    private static func looksNumeric(_ host: Substring) -> Bool {
        guard let last = host.split(separator: ".", omittingEmptySubsequences: false).last else { return false }
        // WHATWG URL parsers treat a host whose last label is numeric (decimal or 0x...) as IPv4.
        return !last.isEmpty && (last.allSatisfy({ $0.isASCII && $0.isNumber }) || last.lowercased().hasPrefix("0x"))
    }

    /// The four octets of a canonical dotted quad (no leading zeros, each 0 to 255), or nil.
    static func ipv4Octets(_ host: Substring) -> [Int]? {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count == 4 else { return nil }
        var octets: [Int] = []
        for label in labels {
            guard (1...3).contains(label.count), label.allSatisfy({ $0.isASCII && $0.isNumber }),
                  label == "0" || label.first != "0", let value = Int(label), value <= 255 else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// Hex digits, colons and (for an embedded IPv4 tail) dots; at least one colon.
    private static func isIPv6Literal(_ host: Substring) -> Bool {
        !host.isEmpty && host.contains(":") && host.count <= 45
            && host.allSatisfy { $0 == ":" || $0 == "." || $0.isHexDigit }
    }

    /// Whether every `%` is followed by two hex digits.
    private static func hasValidPercentEscapes(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}

/// The rules for an issuer identifier (OIDC Discovery section 3, RFC 8414 section 2): an https URL
/// (or loopback http when allowed) with no query and no fragment. Config validation and discovery
/// both go through here, so the two can never disagree.
public enum IssuerURLPolicy {
    public static func check(_ issuer: String, plainHTTPAllowedForLoopback: Bool) throws(OIDCError) -> EndpointURL {
        do {
            return try EndpointURL.parse(issuer, allowsQuery: false, plainHTTPAllowedForLoopback: plainHTTPAllowedForLoopback)
        } catch {
            throw OIDCError(code: .invalidURL, message: "issuer \(error.message)")
        }
    }
}
