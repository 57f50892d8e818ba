import Directory
import Testing
@testable import Gatehouse

/// The walk up `memberOf` and the rule of which DNs are groups at all.
@Suite struct DirectoryGroupsTests {
    /// Finding: the cap on groups was checked once per level, so one entry naming 3,000 groups
    /// cost 3,000 directory reads in one sign-in. It is checked for every group visited.
    @Test func oneLevelNamingThousandsOfGroupsReadsAtMostTheCap() throws {
        var reads = 0
        let start = (0..<3000).map { "cn=g\($0),ou=groups,dc=example,dc=org" }
        let names = try DirectoryGroups.nested(from: start) { dn throws(DirectoryError) in
            reads += 1
            return (String(dn.dropFirst(3).prefix { $0 != "," }), [])
        }
        #expect(reads == DirectoryGroups.maximumGroups)
        #expect(names.count == DirectoryGroups.maximumGroups)
    }

    /// Under `group_base_dn` by parsed RDNs, not by the text's ending.
    @Test(arguments: [
        ("cn=staff,ou=groups,dc=example,dc=org", true),
        ("CN=Staff, OU=Groups, DC=Example, DC=Org", true),
        ("ou=groups,dc=example,dc=org", true),
        ("cn=staff,ou=elsewhere,dc=example,dc=org", false),
        // Ends with the base's text, but the escaped comma makes `groups,dc=example` one value.
        ("cn=staff,ou=x\\,ou=groups,dc=example,dc=org,ou=elsewhere,dc=example,dc=org", false),
        ("cn=staff,ou=groups\\,dc=example,dc=org", false),
        ("dc=example,dc=org", false),
        ("not a dn", false),
    ])
    func whatIsWithinTheGroupBase(dn: String, within: Bool) throws {
        let base = try #require(DistinguishedName("ou=groups,dc=example,dc=org"))
        #expect((DistinguishedName(dn)?.isWithin(base) ?? false) == within)
    }
}
