import Foundation
import Testing
import TestSupport

/// The `active_directory` preset against AD-shaped entries in slapd: sign-in by
/// sAMAccountName, the identity keyed by objectGUID in its canonical text, nested groups
/// through memberOf reaching `required_groups`, and userAccountControl's disabled flag.
@Suite(.serialized) struct ActiveDirectoryPresetTests {
    typealias Rig = DirectorySignInTests.Rig
    static let jdoeGUID: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
    static let elsewhere = "ou=elsewhere,\(SlapdServer.suffix)"
    static let ldif = DirectoryFixture.units
        + "dn: \(elsewhere)\nobjectClass: organizationalUnit\nou: elsewhere\n\n"
        + "dn: cn=staff,\(elsewhere)\nobjectClass: group\ncn: staff\n\n"
        + ActiveDirectoryFixture.group("staff")
        + ActiveDirectoryFixture.group("engineers", memberOf: ["staff"])
        + ActiveDirectoryFixture.user("jdoe", guid: jdoeGUID, password: "jdoe-pw", memberOf: ["engineers"])
        + ActiveDirectoryFixture.user("mroe", guid: Array(repeating: 0x42, count: 16), password: "mroe-pw", control: 514, memberOf: ["staff"])
        + ActiveDirectoryFixture.user("kpoe", guid: Array(repeating: 0x24, count: 16), password: "kpoe-pw")
        // In a group named staff outside group_base_dn only.
        + ActiveDirectoryFixture.user("eve", guid: Array(repeating: 0x35, count: 16), password: "eve-pw")
            .replacingOccurrences(of: "\n\n", with: "\nmemberOf: cn=staff,\(elsewhere)\n\n")
        // In 70 groups that sort before staff, and in staff.
        + (0..<70).map { ActiveDirectoryFixture.group(String(format: "g%02d", $0)) }.joined()
        + ActiveDirectoryFixture.user("gina", guid: Array(repeating: 0x57, count: 16), password: "gina-pw",
                                      memberOf: (0..<70).map { String(format: "g%02d", $0) } + ["staff"])
        // In engineers, and in a group that does not exist (deleted since, or hidden).
        + ActiveDirectoryFixture.user("fred", guid: Array(repeating: 0x46, count: 16), password: "fred-pw", memberOf: ["ghost", "engineers"])

    private func withRig(clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }, _ body: (Rig) throws -> Void) throws {
        let rig = try Rig(
            directoryExtra: #", "preset": "active_directory", "sync_max_deactivation_percent": 100"#,
            ldif: Self.ldif, schema: ActiveDirectoryFixture.schema, clock: clock
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

    /// Finding: at sign-in, `memberOf` values were read wherever they pointed, so a group named
    /// `staff` made anywhere in the directory passed `required_groups: ["staff"]`, while
    /// synchronisation reads only the groups under `group_base_dn`. And one `memberOf` naming a
    /// group that cannot be read refused the whole sign-in.
    @Test func groupsOutsideTheGroupBaseAndUnreadableGroupsAreNoGroups() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("eve", "eve-pw").status == 303)
            #expect(try rig.verify().status == 403, "a staff group outside group_base_dn is no group")
            #expect(try rig.query("SELECT groups FROM sessions", columns: 1) == [[""]])
            let fred = BrowserClient()
            #expect(try rig.submit("fred", "fred-pw", browser: fred).status == 303, "a group that cannot be read is no group, not a refusal")
            #expect(try rig.verify(fred).status == 200, "staff through engineers")
        }
    }

    /// Finding: a session keeps 64 groups, and a directory's were cut alphabetically, so a
    /// person in 70 groups that sort before `staff` lost the group the application requires.
    @Test func aPersonInManyGroupsKeepsTheOneAccessNeeds() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("gina", "gina-pw").status == 303)
            #expect(try rig.verify().status == 200, "staff is kept among 71 groups")
            let stored = try #require(try rig.query("SELECT groups FROM sessions", columns: 1).first?.first)
            #expect(stored.split(separator: "\n").count == 64 && stored.hasPrefix("staff\n"), "\(stored.prefix(40))")
            let report = try rig.gatehouse.app.administration.syncDirectory("corp", dryRun: false, by: .commandLine)
            #expect(report.sessionsRegrouped <= 1, "\(report.summary)")
            #expect(try rig.verify().status == 200, "and after a synchronisation too")
        }
    }

    /// Finding: a directory matches many spellings to one entry (here sAMAccountName and
    /// userPrincipalName), and its failures were counted under the typed text alone, so each
    /// spelling brought fresh guesses. They are counted under the entry, before the bind.
    @Test func everySpellingOfAThrottledEntryIsThrottled() throws {
        // Time stands still, so the delay the sixth failure sets is still running at the end.
        let frozen = Int64(Date().timeIntervalSince1970)
        try withRig(clock: { frozen }) { (rig: Rig) throws in
            for index in 1...6 {
                #expect(try rig.submit("jdoe", "wrong-\(index)", browser: BrowserClient(), from: "192.0.2.\(index)").status == 401)
            }
            let other = try rig.submit("jdoe@corp.example", "jdoe-pw", browser: BrowserClient(), from: "198.51.100.7")
            #expect(other.status == 429, "another spelling of the same entry, from another address")
            #expect(try rig.count("sessions") == 0)
        }
    }

    /// Finding: a directory that cannot answer counted as the person's failed password, so an
    /// outage locked out everyone behind one office address. Only the person's failures count.
    @Test func aDirectoryOutageIsNotThePersonsFailure() throws {
        try withRig { (rig: Rig) throws in
            rig.slapd.stopServing()
            for _ in 1...8 { #expect(try rig.submit("jdoe", "jdoe-pw", browser: BrowserClient()).status == 401) }
            let trail = try rig.auditEvents()
            #expect(trail.filter { $0.detail.contains("reason=directory_unavailable") }.count == 8, "each audited as what it is: \(trail)")
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
