import Foundation

/// An Active Directory-shaped entry set for slapd: AD's own attribute types (objectGUID as 16
/// binary bytes, sAMAccountName, userPrincipalName, userAccountControl, memberOf, objectCategory)
/// under their AD OIDs, and `user` and `group` classes, so the preset's defaults are tested
/// against the shapes AD returns, nested groups included.
public enum ActiveDirectoryFixture {
    public static let schema = """
    attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
    attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
    attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
    attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
    attributetype ( 1.2.840.113556.1.2.102 NAME 'memberOf' EQUALITY distinguishedNameMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
    attributetype ( 1.2.840.113556.1.4.782 NAME 'objectCategory' EQUALITY caseIgnoreMatch
        SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
    objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL
        MAY ( objectGUID $ sAMAccountName $ userPrincipalName $ userAccountControl $ memberOf $ objectCategory ) )
    objectclass ( 1.2.840.113556.1.5.8 NAME 'group' SUP top STRUCTURAL MUST cn
        MAY ( member $ memberOf $ objectGUID $ sAMAccountName $ objectCategory ) )
    """

    public static let people = "ou=people,\(SlapdServer.suffix)"
    public static let groups = "ou=groups,\(SlapdServer.suffix)"

    /// A user; `guid` is the 16 bytes as AD stores them (first three fields little-endian).
    public static func user(_ name: String, guid: [UInt8], password: String, control: Int = 512, memberOf: [String] = []) -> String {
        ([
            "dn: cn=\(name),\(people)", "objectClass: user", "cn: \(name)", "sn: \(name)", "sAMAccountName: \(name)",
            "userPrincipalName: \(name)@corp.example", "mail: \(name)@corp.example", "displayName: \(name.capitalized)",
            "objectGUID:: \(Data(guid).base64EncodedString())", "userAccountControl: \(control)", "objectCategory: person",
            "userPassword: \(password)",
        ] + memberOf.map { "memberOf: cn=\($0),\(groups)" }).joined(separator: "\n") + "\n\n"
    }

    public static func group(_ name: String, memberOf: [String] = []) -> String {
        (["dn: cn=\(name),\(groups)", "objectClass: group", "cn: \(name)"] + memberOf.map { "memberOf: cn=\($0),\(groups)" })
            .joined(separator: "\n") + "\n\n"
    }
}
