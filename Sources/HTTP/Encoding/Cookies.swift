/// Parsing of the `Cookie` request header (RFC 6265 section 5.4 and 4.2).
///
/// When a name repeats, the FIRST value wins. Browsers send cookies with longer paths first,
/// so the first is the most specific one; and an attacker on a sibling subdomain who plants a
/// same-named cookie for a shorter path cannot push ours out of first place (the `__Host-`
/// prefix closes the rest of that gap). Malformed pairs (no `=`, a name that is not a token,
/// a value with characters outside cookie-octets) are skipped, never fatal.
public enum CookieParser {
    public static func parse(_ headerValues: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        forEachCookie(in: headerValues) { name, value in
            let key = String(name)
            if cookies[key] == nil { cookies[key] = String(value) }
            return true
        }
        return cookies
    }

    /// The value `parse` would give for `name`, without building the dictionary: the session
    /// check a proxy makes before every request needs one cookie of however many are sent.
    public static func value(named name: String, in headerValues: [String]) -> String? {
        var found: String?
        forEachCookie(in: headerValues) { candidate, value in
            guard candidate == name else { return true }
            found = String(value)
            return false
        }
        return found
    }

    /// Calls `body` with each well-formed pair in order until it returns false. Works on the
    /// UTF-8 bytes: every separator is ASCII, and this runs for every forward-auth request.
    private static func forEachCookie(in headerValues: [String], _ body: (Substring, Substring) -> Bool) {
        for headerValue in headerValues {
            let bytes = headerValue.utf8
            var pairStart = bytes.startIndex
            while pairStart < bytes.endIndex {
                let pairEnd = bytes[pairStart...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
                if let (name, value) = pair(bytes[pairStart..<pairEnd]), !body(name, value) { return }
                pairStart = pairEnd == bytes.endIndex ? pairEnd : bytes.index(after: pairEnd)
            }
        }
    }

    /// One `name=value`, trimmed and with surrounding DQUOTEs removed, or nil when malformed.
    private static func pair(_ bytes: Substring.UTF8View) -> (Substring, Substring)? {
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let name = trimmed(bytes[..<equals])
        var value = trimmed(bytes[bytes.index(after: equals)...])
        if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
            value = value.dropFirst().dropLast()
        }
        guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenChar), value.allSatisfy(CookieSyntax.isCookieOctet) else {
            return nil
        }
        return (Substring(name), Substring(value))
    }

    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }
}

extension Request {
    /// The request's cookies by name; see `CookieParser` for the duplicate and malformed rules.
    public var cookies: [String: String] {
        CookieParser.parse(headers.values(of: "Cookie"))
    }

    /// One cookie's value, by the same rules as `cookies[name]`.
    public func cookie(named name: String) -> String? {
        CookieParser.value(named: name, in: headers.values(of: "Cookie"))
    }
}

/// Character classes from RFC 6265 section 4.1.1.
enum CookieSyntax {
    /// `cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E`: no controls, whitespace,
    /// DQUOTE, comma, semicolon or backslash. May be empty.
    static func isCookieValue(_ text: Substring) -> Bool {
        text.utf8.allSatisfy(isCookieOctet)
    }

    static func isCookieOctet(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte)
            || (0x3C...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }

    /// `av-octet`: any CHAR except controls and `;`, for Domain and Path values.
    static func isAttributeValue(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ";") }
    }
}

/// Why a cookie could not be made or rendered.
public struct CookieError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The name is empty or not a token.
        public static let invalidName = Code(rawValue: "invalid_name")
        /// The value has a character outside cookie-octets.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// Domain or Path has a control character or `;`.
        public static let invalidAttribute = Code(rawValue: "invalid_attribute")
        /// A `__Host-` or `__Secure-` cookie without the attributes its prefix promises.
        public static let prefixViolation = Code(rawValue: "prefix_violation")
        /// `SameSite=None` or `Partitioned` without `Secure`: browsers drop such cookies.
        public static let requiresSecure = Code(rawValue: "requires_secure")
    }

    public let code: Code
    /// Which rule was broken, for logs. Never contains the cookie's value.
    public let reason: String

    public var description: String { "CookieError(\(code): \(reason))" }
}

/// A `Set-Cookie` header (RFC 6265 section 4.1, with the 6265bis prefixes and CHIPS `Partitioned`).
///
/// Name and value are checked when the cookie is made; the attributes, which stay mutable, are
/// checked again by `headerValue()`, which refuses to render a cookie that breaks its prefix.
public struct SetCookie: Sendable, Equatable {
    public enum SameSite: String, Sendable {
        case strict = "Strict"
        case lax = "Lax"
        case none = "None"
    }

    public let name: String
    public let value: String
    /// Seconds since 1970, rendered as an HTTP-date. `maxAge` wins in browsers when both are set.
    public var expires: Int?
    public var maxAge: Int?
    public var domain: String?
    public var path: String?
    public var secure: Bool
    public var httpOnly: Bool
    public var sameSite: SameSite?
    public var partitioned: Bool

    public init(
        name: String,
        value: String,
        expires: Int? = nil,
        maxAge: Int? = nil,
        domain: String? = nil,
        path: String? = nil,
        secure: Bool = true,
        httpOnly: Bool = true,
        sameSite: SameSite? = .lax,
        partitioned: Bool = false
    ) throws(CookieError) {
        guard HTTPSyntax.isToken(name[...]) else {
            throw CookieError(code: .invalidName, reason: "the name must be a non-empty token")
        }
        guard CookieSyntax.isCookieValue(value[...]) else {
            throw CookieError(code: .invalidValue, reason: "the value of cookie \(name) has characters outside cookie-octets")
        }
        self.name = name
        self.value = value
        self.expires = expires
        self.maxAge = maxAge
        self.domain = domain
        self.path = path
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.partitioned = partitioned
    }

    /// A cookie that tells the browser to delete `name` now: empty value, `Max-Age=0` and an
    /// `Expires` in the past (for old clients). Domain and path must match the original's.
    public static func removal(
        name: String,
        domain: String? = nil,
        path: String? = "/",
        secure: Bool = true,
        httpOnly: Bool = true,
        sameSite: SameSite? = .lax
    ) throws(CookieError) -> SetCookie {
        try SetCookie(
            name: name, value: "", expires: 0, maxAge: 0, domain: domain, path: path,
            secure: secure, httpOnly: httpOnly, sameSite: sameSite
        )
    }

    /// The header value, such as `sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax`.
    public func headerValue() throws(CookieError) -> String {
        try validateAttributes()
        var parts = ["\(name)=\(value)"]
        if let expires { parts.append("Expires=\(HTTPDate.format(secondsSince1970: expires))") }
        if let maxAge { parts.append("Max-Age=\(max(0, maxAge))") }
        if let domain { parts.append("Domain=\(domain)") }
        if let path { parts.append("Path=\(path)") }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite.rawValue)") }
        if partitioned { parts.append("Partitioned") }
        return parts.joined(separator: "; ")
    }

    func validateAttributes() throws(CookieError) {
        if let domain, domain.isEmpty || !CookieSyntax.isAttributeValue(domain) {
            throw CookieError(code: .invalidAttribute, reason: "Domain of cookie \(name) is empty or has a control character or ';'")
        }
        if let path, path.isEmpty || !CookieSyntax.isAttributeValue(path) {
            throw CookieError(code: .invalidAttribute, reason: "Path of cookie \(name) is empty or has a control character or ';'")
        }
        // The prefixes are matched case-insensitively by browsers (RFC 6265bis section 4.1.3).
        let lowered = name.lowercased()
        if lowered.hasPrefix("__host-") {
            guard secure, path == "/", domain == nil else {
                throw CookieError(code: .prefixViolation, reason: "a __Host- cookie needs Secure, Path=/ and no Domain")
            }
        } else if lowered.hasPrefix("__secure-"), !secure {
            throw CookieError(code: .prefixViolation, reason: "a __Secure- cookie needs Secure")
        }
        if sameSite == SameSite.none, !secure {
            throw CookieError(code: .requiresSecure, reason: "SameSite=None needs Secure")
        }
        if partitioned, !secure {
            throw CookieError(code: .requiresSecure, reason: "Partitioned needs Secure")
        }
    }
}

extension Response {
    /// Adds a `Set-Cookie` header, keeping any others.
    public mutating func setCookie(_ cookie: SetCookie) throws(CookieError) {
        headers.add("Set-Cookie", try cookie.headerValue())
    }
}
