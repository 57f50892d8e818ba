/// One entry as a search returned it: its DN and the requested attributes' values as bytes
/// (an `objectGUID` is binary), under lower-cased attribute names.
public struct DirectoryEntry: Sendable, Equatable {
    public let dn: String
    public let attributes: [String: [[UInt8]]]

    public init(dn: String, attributes: [String: [[UInt8]]]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// Every value of `name` read as UTF-8 text (LDAP strings are UTF-8).
    public func strings(_ name: String) -> [String] {
        (attributes[name.lowercased()] ?? []).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The attribute's one value as text; nil when it is absent or has several.
    public func string(_ name: String) -> String? {
        let all = strings(name)
        return all.count == 1 ? all[0] : nil
    }

    /// The attribute's one value as bytes; nil when absent or several.
    public func bytes(_ name: String) -> [UInt8]? {
        let all = attributes[name.lowercased()] ?? []
        return all.count == 1 ? all[0] : nil
    }
}
