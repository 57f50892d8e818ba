/// Where a value sits in the configuration document, printed as a JSONPath such as
/// `$.server.limits.body_bytes` or `$.providers[0]`.
struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    let components: [Component]

    static let root = ConfigPath(components: [])

    func appending(_ key: String) -> ConfigPath {
        ConfigPath(components: components + [.key(key)])
    }

    func appending(index: Int) -> ConfigPath {
        ConfigPath(components: components + [.index(index)])
    }

    /// Keys made of letters, digits and `_` print as `.key`; any other key prints bracketed
    /// and quoted (`$["odd key"]`) so the path stays unambiguous.
    var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key) where Self.isPlainKey(key):
                text += ".\(key)"
            case .key(let key):
                text += "[\(ConfigText.quoted(key))]"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// The variable that overrides this key: `GATEHOUSE_` and the keys upper-cased, joined by
    /// `_` (`$.server.limits.body_bytes` → `GATEHOUSE_SERVER_LIMITS_BODY_BYTES`). `nil` inside
    /// arrays, which have no overrides.
    var environmentName: String? {
        var parts = ["GATEHOUSE"]
        for component in components {
            guard case .key(let key) = component else { return nil }
            parts.append(key.uppercased())
        }
        return parts.joined(separator: "_")
    }

    private static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
