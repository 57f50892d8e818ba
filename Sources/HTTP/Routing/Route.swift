/// A parsed route pattern such as `/users/:id` or `/static/*path`.
///
/// - literal segments match exactly (after the request segment is percent-decoded);
/// - `:name` matches one non-empty segment and captures it;
/// - `*name`, only as the last segment, matches one or more remaining segments (the first may
///   be empty, as in `/static/`) and captures them joined by `/`.
///
/// Patterns come from code, not from requests, so a malformed one stops the program at
/// start-up rather than being half-registered.
struct RoutePattern: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case wildcard(String)
    }

    let text: String
    let segments: [Segment]

    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route pattern \(text) must start with /")
        var segments: [Segment] = []
        let parts = RoutePattern.split(text[...]) ?? []
        for (index, part) in parts.enumerated() {
            if part.hasPrefix(":") {
                let name = String(part.dropFirst())
                precondition(!name.isEmpty, "route pattern \(text) has a parameter without a name")
                segments.append(.parameter(name))
            } else if part.hasPrefix("*") {
                let name = String(part.dropFirst())
                precondition(!name.isEmpty, "route pattern \(text) has a wildcard without a name")
                precondition(index == parts.count - 1, "route pattern \(text) has a wildcard before the last segment")
                segments.append(.wildcard(name))
            } else {
                segments.append(.literal(String(part)))
            }
        }
        let names = segments.compactMap { segment -> String? in
            switch segment {
            case .parameter(let name), .wildcard(let name): name
            case .literal: nil
            }
        }
        precondition(Set(names).count == names.count, "route pattern \(text) repeats a parameter name")
        self.text = text
        self.segments = segments
    }

    var parameterNames: [String] {
        segments.compactMap { segment in
            switch segment {
            case .parameter(let name), .wildcard(let name): name
            case .literal: nil
            }
        }
    }

    /// Splits an absolute path into its raw segments: `/` gives none, `/a/` gives `a` and an
    /// empty segment. Returns nil for a path that does not start with `/` (such as `*`).
    static func split(_ path: Substring) -> [Substring]? {
        guard path.first == "/" else { return nil }
        let rest = path.dropFirst()
        if rest.isEmpty { return [] }
        return rest.split(separator: "/", omittingEmptySubsequences: false)
    }
}
