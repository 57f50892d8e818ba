import Foundation
import Gatehouse
import HTTP
import JOSE
import Templates

/// The parsers that read what strangers send, each fed arbitrary bytes by libFuzzer
/// (`make fuzz`), and replayed over the saved corpus and every crash found (`make test`).
/// A target must never crash, hang or read out of bounds, whatever the bytes; every error is
/// an ordinary, typed refusal.
enum FuzzTarget: String, CaseIterable {
    /// The HTTP/1.1 request parser, fed in two pieces split at a point the input picks.
    case http
    /// Compact JWS parsing: the three parts, base64url, the JOSE header and its members.
    case jws
    /// The one JSON parser alone: as JOSE and OIDC read (ID-token claims, JWKS, discovery
    /// documents), then as the configuration and the admin API read (document order, a byte
    /// order mark, deeper nesting).
    case json
    /// The configuration file: the JSON parser and every key's validation.
    case config
    /// The page template parser (a Mustache subset) and its partials check.
    case template
    /// `Cookie` header parsing, several header lines at once.
    case cookie
    /// `application/x-www-form-urlencoded` decoding (forms, query strings).
    case form

    func run(_ bytes: [UInt8]) {
        switch self {
        case .http:
            var parser = RequestParser(limits: HTTPLimits())
            let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
            parser.append(Array(bytes[..<split]))
            drain(&parser)
            parser.append(Array(bytes[split...]))
            drain(&parser)
        case .jws:
            _ = try? UnverifiedJWS.parse(bytes: bytes)
        case .json:
            _ = try? JSONValue.parse(bytes)
            _ = try? JSONValue.parse(bytes, options: JSONParseOptions(maximumDepth: 64, keepsMemberOrder: true, allowsByteOrderMark: true))
        case .config:
            _ = GatehouseConfig.parse(data: Data(bytes), environment: [:])
        case .template:
            guard let text = String(validating: bytes, as: UTF8.self) else { return }
            _ = try? TemplateSet(sources: ["fuzz": text, "other": "{{> fuzz}}"])
        case .cookie:
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            _ = CookieParser.parse(lines)
        case .form:
            _ = try? QueryParameters(parsing: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Takes every complete request (at most a bounded number: each consumes at least a line).
    private func drain(_ parser: inout RequestParser) {
        for _ in 0..<10_000 {
            guard let request = try? parser.next() else { return }
            _ = request.path
        }
    }
}
