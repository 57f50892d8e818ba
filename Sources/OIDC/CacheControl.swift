/// The `Cache-Control` directives (RFC 9111 section 5.2.2) that decide how long a JWKS is kept.
///
/// Gatehouse is a private cache, so `s-maxage` (for shared caches) is ignored. Parsing never
/// fails: an unparseable directive is skipped, and a `max-age` that is not a number makes the
/// response stale at once (RFC 9111 section 4.2.1), which the cache's floor then bounds.
public struct CacheControl: Sendable, Equatable {
    /// `max-age` in seconds; with several, the smallest (RFC 9111 section 4.2.1 allows treating
    /// conflicting ones as stale; the smallest is the closest safe reading).
    public var maxAge: Int64?
    public var noStore: Bool
    public var noCache: Bool
    public var mustRevalidate: Bool

    public init(maxAge: Int64? = nil, noStore: Bool = false, noCache: Bool = false, mustRevalidate: Bool = false) {
        self.maxAge = maxAge
        self.noStore = noStore
        self.noCache = noCache
        self.mustRevalidate = mustRevalidate
    }

    /// Parses every `Cache-Control` field line of a response (a header may be repeated; its
    /// lines then combine as one comma-separated list).
    public static func parse(_ fieldValues: [String]) -> CacheControl {
        var result = CacheControl()
        for fieldValue in fieldValues {
            for directive in splitDirectives(fieldValue) {
                let (name, argument) = nameAndArgument(directive)
                switch name {
                case "max-age":
                    let seconds = argument.flatMap(deltaSeconds) ?? 0
                    result.maxAge = min(result.maxAge ?? seconds, seconds)
                case "no-store": result.noStore = true
                case "no-cache": result.noCache = true
                case "must-revalidate": result.mustRevalidate = true
                default: continue  // s-maxage, public, private, immutable, extensions
                }
            }
        }
        return result
    }

    /// Parses one `Cache-Control` field line.
    public static func parse(_ fieldValue: String) -> CacheControl {
        parse([fieldValue])
    }

    /// Splits on commas outside quoted strings.
    private static func splitDirectives(_ value: String) -> [Substring] {
        var parts: [Substring] = []
        var start = value.startIndex
        var inQuotes = false
        var index = value.startIndex
        while index < value.endIndex {
            let character = value[index]
            if character == "\"" { inQuotes.toggle() }
            if character == "," && !inQuotes {
                parts.append(value[start..<index])
                start = value.index(after: index)
            }
            index = value.index(after: index)
        }
        parts.append(value[start...])
        return parts
    }

    /// The lower-cased directive name and its argument with quotes removed.
    private static func nameAndArgument(_ directive: Substring) -> (String, Substring?) {
        let trimmed = directive.trimmingASCIIWhitespace()
        guard let equals = trimmed.firstIndex(of: "=") else { return (trimmed.lowercased(), nil) }
        let name = trimmed[..<equals].trimmingASCIIWhitespace().lowercased()
        var argument = trimmed[trimmed.index(after: equals)...].trimmingASCIIWhitespace()
        if argument.count >= 2, argument.hasPrefix("\""), argument.hasSuffix("\"") {
            argument = argument.dropFirst().dropLast()
        }
        return (name, argument)
    }

    /// RFC 9111 section 1.2.2: digits only; values beyond what we can hold count as "very long"
    /// (2^31 seconds, as the RFC suggests), and the cache's ceiling bounds them anyway.
    private static func deltaSeconds(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        if text.utf8.count > 10 { return 2_147_483_648 }
        return min(Int64(text) ?? 2_147_483_648, 2_147_483_648)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
