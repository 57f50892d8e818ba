import CLDAP

/// A DN parsed by libldap (RFC 4514), for asking whether one entry sits under another.
///
/// Text comparison gets this wrong both ways: `cn=admins,ou=groups\,dc=corp,ou=other,dc=corp`
/// ends with the text `ou=groups…` without being under it, and `OU=Groups, DC=corp` is the same
/// entry as `ou=groups,dc=corp`. Parsed, each RDN is its attribute types and values; types
/// compare case-insensitively (RFC 4512), values lower-cased as every DN in Gatehouse is
/// compared (the naming attributes of groups and containers, `cn`, `ou`, `dc`, match without
/// case).
public struct DistinguishedName: Sendable, Equatable {
    /// The RDNs from the leaf up, each its `type=value` pairs sorted (a multi-valued RDN's
    /// order carries no meaning).
    let rdns: [[String]]

    /// Nil for text that is not a DN.
    public init?(_ text: String) {
        var parsed: LDAPDN?
        guard ldap_str2dn(text, &parsed, UInt32(LDAP_DN_FORMAT_LDAPV3)) == LDAP_SUCCESS else { return nil }
        defer { ldap_dnfree(parsed) }
        var rdns: [[String]] = []
        var index = 0
        while let parsed, let rdn = parsed[index] {
            var pairs: [String] = []
            var member = 0
            while let ava = rdn[member] {
                let type = Self.text(ava.pointee.la_attr).lowercased()
                let value = Self.text(ava.pointee.la_value).lowercased()
                pairs.append(type + "=" + value)
                member += 1
            }
            rdns.append(pairs.sorted())
            index += 1
        }
        self.rdns = rdns
    }

    /// Whether this entry is `base` or below it.
    public func isWithin(_ base: DistinguishedName) -> Bool {
        rdns.count >= base.rdns.count && Array(rdns.suffix(base.rdns.count)) == base.rdns
    }

    private static func text(_ value: berval) -> String {
        guard let bytes = value.bv_val, value.bv_len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(value.bv_len)), as: UTF8.self)
    }
}
