import Foundation
import Testing
@testable import Gatehouse

/// The README's two directory examples are configurations `check-config` accepts (their CA
/// file and secrets aside), so the documentation says what works.
@Suite struct DirectoryReadmeTests {
    @Test func theReadmeExamplesAreValid() throws {
        let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Directories (LDAP and Active Directory)").dropFirst().first)
        let blocks = section.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count == 2)
        for block in blocks {
            let directories = block.replacingOccurrences(of: #""ca_file": "/etc/ssl/example-ca.pem","#, with: "")
                .replacingOccurrences(of: #"{"file": "/run/secrets/ldap-bind"}"#, with: #"{"env": "LDAP_BIND"}"#)
            let json = #"{"server": {"listen": "127.0.0.1:8080", "public_url": "https://login.example.org"}, "# + directories + "}"
            let parsed = GatehouseConfig.parse(data: Data(json.utf8), environment: ["LDAP_BIND": "x", "AD_BIND_PASSWORD": "y"])
            #expect(throws: Never.self, "\(block)") { try parsed.get() }
        }
    }
}
