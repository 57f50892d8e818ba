/// An absolute `http` or `https` URL, split just far enough for what the provider does with
/// URLs: compare redirect URIs exactly, take an origin, and append query parameters.
///
/// Deliberately strict, because these come from the command line and from relying parties:
/// no fragment (RFC 6749 section 3.1.2 forbids one in a redirect URI), no user-info (`a@b`
/// misleads whoever reads it), no whitespace or control characters, a non-empty authority.
struct HTTPURL: Sendable, Equatable {
    /// The URL exactly as given; redirect URIs are compared on this text.
    let text: String
    /// `http` or `https`, lower-cased.
    let scheme: String
    /// Host and optional port as written (`127.0.0.1:8080`, `[::1]:9400`).
    let authority: String
    /// The path, possibly empty; never includes the query.
    let path: String
    /// Whether the URL already has a query, so appended parameters start with `&`.
    let hasQuery: Bool

    init?(_ text: String) {
        guard !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }), !text.contains("#") else { return nil }
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: "?")
        self.text = text
        self.scheme = scheme
        self.authority = String(authority)
        self.path = String(afterAuthority[..<(queryStart ?? afterAuthority.endIndex)])
        self.hasQuery = queryStart != nil
    }

    /// `scheme://authority`, lower-cased: what a browser compares for same-origin decisions.
    var origin: String { scheme + "://" + authority.lowercased() }

    /// The URL with `pairs` appended to its query, each name and value percent-encoded.
    func appendingQuery(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return text }
        let encoded = pairs.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        return text + (hasQuery ? "&" : "?") + encoded
    }

    /// Everything but RFC 3986's unreserved characters is percent-encoded (UTF-8, upper-case hex),
    /// so a value can hold `&`, `=`, `#` or non-ASCII text without changing the URL's structure.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
