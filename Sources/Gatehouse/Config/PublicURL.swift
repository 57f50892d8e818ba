import Foundation
import HTTP

/// The URL users reach Gatehouse at, from `server.public_url`: scheme, host and port only.
///
/// Its origin is what the CSRF check compares `Origin` against and what decides whether
/// cookies are `Secure`, so it is kept to exactly those parts. Gatehouse is served at the
/// root of its origin: a path prefix, query, fragment or user info is refused rather than
/// half-supported.
public struct PublicURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        var defaultPort: Int { self == .https ? 443 : 80 }
    }

    public let scheme: Scheme
    /// Lower-cased name or address, IPv6 without brackets.
    public let host: String
    /// The explicit port, or `nil` when it is the scheme's default (which origins omit).
    public let port: Int?

    public init(scheme: Scheme, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port == scheme.defaultPort ? nil : port
    }

    /// `https://example.com`, `http://127.0.0.1:8080`, `http://[::1]:8080`: the form browsers
    /// send in the `Origin` header.
    public var origin: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let portPart = port.map { ":\($0)" } ?? ""
        return "\(scheme.rawValue)://\(hostPart)\(portPart)"
    }

    public var isHTTPS: Bool { scheme == .https }

    /// The origin followed by `/`.
    public var description: String { origin + "/" }

    static func parse(_ text: String) -> Result<PublicURL, ConfigValueError> {
        func failure(_ why: String) -> Result<PublicURL, ConfigValueError> {
            .failure(ConfigValueError(message: "\(why), found \(ConfigText.quoted(text))"))
        }
        guard let separator = text.range(of: "://") else {
            return failure("expected an absolute http or https URL such as \"https://login.example.com\"")
        }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            return failure("the scheme must be http or https")
        }
        let rest = text[separator.upperBound...]
        if rest.contains("?") { return failure("must not have a query") }
        if rest.contains("#") { return failure("must not have a fragment") }
        let authority: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            guard rest[slash...] == "/" else {
                return failure("must not have a path: Gatehouse is served at the root of its origin")
            }
        } else {
            authority = rest
        }
        if authority.contains("@") { return failure("must not contain user info") }
        if authority.contains(where: { $0.isWhitespace || $0 == "%" || $0 == "\\" }) {
            return failure("the host contains characters a URL host cannot have")
        }

        let hostText: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return failure("an IPv6 host needs a closing bracket") }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return failure("expected ':' and a port after the IPv6 host") }
                portText = after.dropFirst()
            }
            guard let address = IPAddress(String(hostText)), address.family == .ipv6 else {
                return failure("the bracketed host is not an IPv6 address")
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostText = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                hostText = authority
            }
            let host = String(hostText)
            if host.isEmpty { return failure("the host is missing") }
            if HostName.looksNumeric(host) {
                guard IPAddress(host)?.family == .ipv4 else { return failure("the host is not a valid IPv4 address") }
            } else if !HostName.isValid(host) {
                return failure("the host is not a valid DNS name (internationalised names go in their xn-- form)")
            }
        }
        var port: Int?
        if let portText {
            guard let value = PortNumber.parse(portText) else { return failure("the port must be a number from 1 to 65535") }
            port = value
        }
        return .success(PublicURL(scheme: scheme, host: String(hostText), port: port))
    }
}

extension ConfigValueKind where T == PublicURL {
    static var publicURL: ConfigValueKind<PublicURL> {
        .text(expected: "a URL string", PublicURL.parse)
    }
}
