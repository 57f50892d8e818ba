import Foundation
import Testing
import TestSupport

/// The `active_directory` preset against AD-shaped entries in slapd: sign-in by
/// sAMAccountName, the identity keyed by objectGUID in its canonical text, nested groups
/// through memberOf reaching `required_groups`, and userAccountControl's disabled flag.
@Suite(.serialized) struct ActiveDirectoryPresetTests {
    typealias Rig = DirectorySignInTests.Rig
    static let jdoeGUID: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
    static let ldif = DirectoryFixture.units
        + ActiveDirectoryFixture.group("staff")
        + ActiveDirectoryFixture.group("engineers", memberOf: ["staff"])
        + ActiveDirectoryFixture.user("jdoe", guid: jdoeGUID, password: "jdoe-pw", memberOf: ["engineers"])
        + ActiveDirectoryFixture.user("mroe", guid: Array(repeating: 0x42, count: 16), password: "mroe-pw", control: 514, memberOf: ["staff"])
        + ActiveDirectoryFixture.user("kpoe", guid: Array(repeating: 0x24, count: 16), password: "kpoe-pw")

    private func withRig(_ body: (Rig) throws -> Void) throws {
        let rig = try Rig(
            directoryExtra: #", "preset": "active_directory", "sync_max_deactivation_percent": 100"#,
            ldif: Self.ldif, schema: ActiveDirectoryFixture.schema
        )
        defer { rig.stop() }
        try body(rig)
    }

    @Test func signsInBySAMAccountNameKeyedByObjectGUIDWithNestedGroups() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("jdoe", "jdoe-pw").status == 303)
            let subjects = try rig.query("SELECT subject FROM identities", columns: 1)
            #expect(subjects == [["33221100-5544-7766-8899-aabbccddeeff"]])
            #expect(try rig.verify().status == 200, "staff reached through engineers' memberOf")
            let other = BrowserClient()
            #expect(try rig.submit("jdoe@corp.example", "jdoe-pw", browser: other).status == 303, "userPrincipalName too")
            #expect(try rig.count("users") == 1)
            let kpoe = BrowserClient()
            #expect(try rig.submit("kpoe", "kpoe-pw", browser: kpoe).status == 303)
            #expect(try rig.verify(kpoe).status == 403, "in no group")
        }
    }

    @Test func aDisabledAccountCannotSignIn() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("mroe", "mroe-pw").status == 401)
            #expect(try rig.auditEvents().contains { $0.detail.contains("reason=disabled_in_directory") })
            #expect(try rig.count("users") == 0)
        }
    }

    @Test func syncDeactivatesAnAccountDisabledInTheDirectory() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("jdoe", "jdoe-pw").status == 303)
            try rig.slapd.modify("dn: cn=jdoe,\(ActiveDirectoryFixture.people)\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n")
            let report = try rig.gatehouse.app.administration.syncDirectory("corp", dryRun: false, by: .commandLine)
            #expect(report.deactivated == 1, "\(report.summary)")
            #expect(try rig.verify().status == 401)
        }
    }
}
