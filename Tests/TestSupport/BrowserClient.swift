import Foundation

/// A cookie-keeping HTTP client that walks a sign-in the way a browser does, one hop at a
/// time, so end-to-end tests can look at every redirect, cookie and form on the way.
///
/// Cookies are kept per host name and, like a browser's, shared across ports: Gatehouse and a
/// provider on 127.0.0.1 see each other's cookies only where the attributes allow it (the
/// path must match; `Secure` cookies are never sent over plain http). A cookie with a `Domain`
/// attribute reaches that domain and its subdomains, as RFC 6265 says, so a session cookie set
/// for a parent domain can be followed from the sign-in host to a protected application's host.
public final class BrowserClient {
    public struct Cookie: Equatable, Sendable {
        public let name: String
        public let value: String
        /// The host that set it when `hostOnly`, otherwise its `Domain` attribute (lower-cased,
        /// without a leading dot).
        public let host: String
        public let path: String
        public let secure: Bool
        /// Set without a `Domain` attribute: sent back to `host` alone, not to its subdomains.
        public let hostOnly: Bool

        func isSent(to requestHost: String) -> Bool {
            hostOnly ? requestHost == host : BrowserClient.domainMatches(host: requestHost, domain: host)
        }
    }

    /// One response and the absolute URL it answered.
    public struct Page {
        public let url: String
        public let response: TestClient.Response
        public var status: Int { response.status }
        public var text: String { response.text }
        public func header(_ name: String) -> String? { response.header(name) }
        /// The redirect target made absolute, when this is a redirect.
        public var location: String? {
            guard (300..<400).contains(status), let location = header("Location") else { return nil }
            return BrowserClient.resolve(location, against: url)
        }
    }

    public private(set) var cookies: [Cookie] = []
    /// Extra headers sent with every request (an `Origin`, say).
    public var defaultHeaders: [(String, String)] = []
    /// Where to connect for a host name, as curl's `--resolve` does: a test can give its
    /// servers made-up names (`app.gatehouse.test`) that exist only here, so cookies and
    /// `Host` headers carry real, distinct names while every connection stays on loopback.
    public var addresses: [String: String] = ["localhost": "127.0.0.1"]

    public init() {}

    public func cookie(named name: String) -> Cookie? {
        cookies.first { $0.name == name }
    }

    public func get(_ url: String, headers: [(String, String)] = []) throws -> Page {
        try send("GET", url, headers: headers, body: [])
    }

    public func postForm(_ url: String, _ fields: [(String, String)], headers: [(String, String)] = []) throws -> Page {
        let body = Array(Self.formEncode(fields).utf8)
        return try send("POST", url, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: body)
    }

    public func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]) throws -> Page {
        guard let components = URLComponents(string: url), let host = components.host, let scheme = components.scheme else {
            throw TestClient.Failure(description: "not an absolute URL: \(url)")
        }
        let port = UInt16(components.port ?? (scheme == "https" ? 443 : 80))
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let target = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nUser-Agent: BrowserClient\r\n"
        let cookieHeader = cookies
            .filter { $0.isSent(to: host) && Self.pathMatches(path, $0.path) && (!$0.secure || scheme == "https") }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "; ")
        if !cookieHeader.isEmpty { head += "Cookie: \(cookieHeader)\r\n" }
        for (name, value) in defaultHeaders + headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let client = try TestClient(port: port, host: addresses[host] ?? host, timeoutSeconds: 15)
        try client.send(Array(head.utf8) + body)
        let response = try client.readResponse(forHead: method == "HEAD")
        for (name, value) in response.headers where name.lowercased() == "set-cookie" {
            store(setCookie: value, host: host)
        }
        return Page(url: url, response: response)
    }

    /// Follows redirects (GET after each, as browsers do after 302 and 303) until a page that
    /// is not one, or until `stop` says a URL is where the caller wants to take over.
    public func follow(_ page: Page, maxHops: Int = 10, stop: (String) -> Bool = { _ in false }) throws -> Page {
        var current = page
        for _ in 0..<maxHops {
            guard let next = current.location, !stop(next) else { return current }
            current = try get(next)
        }
        throw TestClient.Failure(description: "more than \(maxHops) redirects from \(page.url)")
    }

    private func store(setCookie header: String, host: String) {
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
        var path = "/", secure = false, expired = false, domain: String?
        for attribute in parts.dropFirst() {
            let lower = attribute.lowercased()
            if lower.hasPrefix("path=") { path = String(attribute.dropFirst(5)) }
            if lower.hasPrefix("domain="), lower.count > 7 {
                domain = String(lower.dropFirst(7).drop { $0 == "." })
            }
            if lower == "secure" { secure = true }
            if lower == "max-age=0" || lower.hasPrefix("max-age=-") { expired = true }
            if lower.hasPrefix("expires="), lower.contains("1970") { expired = true }
        }
        // RFC 6265 §5.3 step 6: a browser ignores a cookie whose Domain does not cover the host
        // that set it, so a server cannot plant cookies for other sites.
        if let domain, !Self.domainMatches(host: host, domain: domain) { return }
        let cookieHost = domain ?? host
        cookies.removeAll { $0.name == name && $0.host == cookieHost && $0.path == path }
        if !expired {
            cookies.append(Cookie(name: name, value: value, host: cookieHost, path: path, secure: secure, hostOnly: domain == nil))
        }
    }

    /// RFC 6265 §5.1.3 domain matching for host names: the domain itself or any subdomain.
    static func domainMatches(host: String, domain: String) -> Bool {
        let host = host.lowercased()
        return host == domain || host.hasSuffix("." + domain)
    }

    /// Removes every cookie, or those named, as a browser's "clear site data" would.
    public func clearCookies(named name: String? = nil) {
        cookies.removeAll { name == nil || $0.name == name }
    }

    static func pathMatches(_ requestPath: String, _ cookiePath: String) -> Bool {
        requestPath == cookiePath || (requestPath.hasPrefix(cookiePath) && (cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")))
    }

    public static func resolve(_ location: String, against base: String) -> String {
        URL(string: location, relativeTo: URL(string: base))?.absoluteString ?? location
    }

    public static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// The decoded query parameters of a URL, in order.
    public static func queryItems(of url: String) -> [(String, String)] {
        (URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
    }

    public static func queryItem(_ name: String, of url: String) -> String? {
        queryItems(of: url).first { $0.0 == name }?.1
    }
}

/// The forms of an HTML page, read just well enough to submit them as a browser would:
/// action, method, and the name/value of every input, select (first or selected option)
/// and textarea. It is not a general HTML parser.
public struct HTMLForm {
    public let action: String
    public let method: String
    public var fields: [(String, String)]

    public static func all(in html: String) -> [HTMLForm] {
        var forms: [HTMLForm] = []
        var rest = html[...]
        while let open = rest.range(of: "<form", options: .caseInsensitive) {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = String(rest[open.lowerBound...tagEnd])
            let bodyEnd = rest[tagEnd...].range(of: "</form>", options: .caseInsensitive)?.lowerBound ?? rest.endIndex
            let body = String(rest[tagEnd..<bodyEnd])
            forms.append(HTMLForm(
                action: attribute("action", in: tag) ?? "",
                method: (attribute("method", in: tag) ?? "get").uppercased(),
                fields: fields(in: body)
            ))
            rest = rest[bodyEnd...].dropFirst(min(7, rest[bodyEnd...].count))
        }
        return forms
    }

    /// Sets a field's value, adding it when absent.
    public mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { $0.0 == name }) {
            fields[index].1 = value
        } else {
            fields.append((name, value))
        }
    }

    public func value(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }

    private static func fields(in body: String) -> [(String, String)] {
        var result: [(String, String)] = []
        for tag in tags("input", in: body) {
            guard let name = attribute("name", in: tag) else { continue }
            let type = (attribute("type", in: tag) ?? "text").lowercased()
            if type == "submit" || type == "button" || type == "image" { continue }
            if type == "checkbox" || type == "radio" {
                if tag.range(of: "checked", options: .caseInsensitive) != nil { result.append((name, attribute("value", in: tag) ?? "on")) }
                continue
            }
            result.append((name, attribute("value", in: tag) ?? ""))
        }
        var rest = body[...]
        while let open = rest.range(of: "<select", options: .caseInsensitive) {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = String(rest[open.lowerBound...tagEnd])
            let end = rest[tagEnd...].range(of: "</select>", options: .caseInsensitive)?.lowerBound ?? rest.endIndex
            let options = tags("option", in: String(rest[tagEnd..<end]))
            let chosen = options.first { $0.range(of: "selected", options: .caseInsensitive) != nil } ?? options.first
            if let name = attribute("name", in: tag), let chosen { result.append((name, attribute("value", in: chosen) ?? "")) }
            rest = rest[end...].dropFirst(min(9, rest[end...].count))
        }
        return result
    }

    private static func tags(_ name: String, in html: String) -> [String] {
        var found: [String] = []
        var rest = html[...]
        while let open = rest.range(of: "<\(name)", options: .caseInsensitive) {
            guard let end = rest[open.upperBound...].firstIndex(of: ">") else { break }
            found.append(String(rest[open.lowerBound...end]))
            rest = rest[rest.index(after: end)...]
        }
        return found
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        for quote in ["\"", "'"] {
            guard let start = tag.range(of: " \(name)=\(quote)", options: .caseInsensitive) else { continue }
            guard let end = tag[start.upperBound...].firstIndex(of: Character(quote)) else { return nil }
            return unescape(String(tag[start.upperBound..<end]))
        }
        return nil
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
