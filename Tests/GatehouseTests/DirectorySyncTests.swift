import Foundation
import Gatehouse
import Store
import Testing
import TestSupport

/// Synchronisation against a real slapd (issue 15 section 4): deactivation of people whose
/// entry is gone (forward-auth refuses their session at the very next request), group changes
/// reaching live sessions, the dry run, the two brakes, and the command through the real binary.
@Suite(.serialized) struct DirectorySyncTests {
    typealias Rig = DirectorySignInTests.Rig

    private func withRig(maximumPercent: Int? = 50, _ body: (Rig) throws -> Void) throws {
        let rig = try Rig(directoryExtra: maximumPercent.map { #", "sync_max_deactivation_percent": \#($0)"# } ?? "")
        defer { rig.stop() }
        try body(rig)
    }

    func sync(_ rig: Rig, dryRun: Bool = false) throws -> DirectorySyncReport {
        try rig.gatehouse.app.administration.syncDirectory("corp", dryRun: dryRun, by: .commandLine)
    }

    func delete(_ uid: String, from rig: Rig) throws {
        try rig.slapd.modify("dn: uid=\(uid),\(DirectoryFixture.people)\nchangetype: delete\n")
    }

    @Test func aDeletedPersonIsDeactivatedAndForwardAuthRefusesAtOnce() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            let bob = BrowserClient()
            #expect(try rig.submit("bob", "bob-pw", browser: bob).status == 303)
            #expect(try rig.verify().status == 200)
            try delete("alice", from: rig)
            let report = try sync(rig)
            #expect(report.stopped == nil)
            #expect(report.deactivated == 1)
            #expect(report.sessionsRevoked == 1)
            #expect(report.updated == 1)
            #expect(try rig.verify().status == 401, "the revoked session is refused at the next request")
            #expect(try rig.me(bob).status == 200, "bob's session is untouched")
            #expect(try rig.count("users") == 2, "deactivated, never deleted")
            #expect(try rig.count("users", where: "active = 0 AND username = 'alice'") == 1)
            let events = try rig.auditEvents()
            #expect(events.contains { $0.event == "user.deactivated" && $0.detail.contains("directory=corp") })
            #expect(events.contains { $0.event == "directory.synced" && $0.detail.contains("deactivated=1") })
            #expect(try rig.submit("alice", "alice-pw", browser: BrowserClient()).status == 401)
        }
    }

    @Test func aDryRunReportsAndChangesNothing() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            #expect(try rig.submit("bob", "bob-pw", browser: BrowserClient()).status == 303)
            try delete("alice", from: rig)
            let report = try sync(rig, dryRun: true)
            #expect(report.dryRun && report.deactivated == 1)
            #expect(try rig.verify().status == 200)
            #expect(try rig.count("users", where: "active = 1") == 2)
        }
    }

    /// One of two users gone is half the directory: past the default 10%, so nothing changes.
    @Test func theMassDeactivationBrakeStopsTheRun() throws {
        try withRig(maximumPercent: nil) { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            #expect(try rig.submit("bob", "bob-pw", browser: BrowserClient()).status == 303)
            try delete("alice", from: rig)
            let report = try sync(rig)
            #expect(report.stopped?.hasPrefix("would_deactivate_1_of_2") == true, "\(report.summary)")
            #expect(report.deactivated == 0 && report.updated == 0)
            #expect(try rig.verify().status == 200)
            #expect(try rig.count("users", where: "active = 1") == 2)
            #expect(try rig.auditEvents().contains { $0.event == "directory.sync_stopped" })
        }
    }

    @Test func aDirectoryThatReturnsNothingStopsTheRun() throws {
        try withRig(maximumPercent: 100) { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            for uid in ["alice", "bob", "twin1", "twin2"] { try delete(uid, from: rig) }
            let report = try sync(rig)
            #expect(report.stopped == "directory_returned_nothing")
            #expect(try rig.verify().status == 200)
        }
    }

    /// Bob joins staff in the directory: his live session gets the group at the next sync.
    @Test func groupChangesReachLiveSessions() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("bob", "bob-pw").status == 303)
            #expect(try rig.verify().status == 403)
            try rig.slapd.modify("dn: cn=staff,\(DirectoryFixture.groups)\nchangetype: modify\nadd: member\nmember: uid=bob,\(DirectoryFixture.people)\n")
            let report = try sync(rig)
            #expect(report.sessionsRegrouped == 1)
            #expect(try rig.verify().status == 200)
        }
    }

    /// `gatehouse directories sync --directory corp --dry-run` through the built binary.
    @Test func oneSyncAtATimeAcrossProcesses() throws {
        try withRig { (rig: Rig) throws in
            // Another process (an operator's command, a second instance) holds the lease.
            let other = try Database(path: rig.gatehouse.database.path)
            defer { other.close() }
            let now = Int64(Date().timeIntervalSince1970)
            let taken = try other.write { try DirectorySyncLeaseRepository($0).claim(directory: "corp", holder: "other-process", now: now, expiresAt: now + 600) }
            #expect(taken)
            #expect(throws: (any Error).self) { try sync(rig) }
            #expect(try rig.gatehouse.database.read { try $0.queryOne("SELECT count(*) AS n FROM audit_log WHERE event LIKE 'directory.%'")?.int("n") } == 0)
            try other.write { try DirectorySyncLeaseRepository($0).release(directory: "corp", holder: "other-process") }
            #expect(try sync(rig).stopped == nil)
            // The run gave its lease back: the other process may take it again.
            #expect(try other.write { try DirectorySyncLeaseRepository($0).claim(directory: "corp", holder: "other-process", now: now, expiresAt: now + 600) })
        }
    }

    @Test func aLeaseWhoseHolderDiedExpires() throws {
        try withRig { (rig: Rig) throws in
            let now = Int64(Date().timeIntervalSince1970)
            try rig.gatehouse.database.write {
                _ = try DirectorySyncLeaseRepository($0).claim(directory: "corp", holder: "crashed-process", now: now - 700, expiresAt: now - 100)
            }
            #expect(try sync(rig).stopped == nil)
        }
    }

    @Test func theCommandLineRunsASync() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            let path = rig.gatehouse.directory.appendingPathComponent("cli.json").path
            try """
                {"server": {"listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080"},
                 "database": {"path": "\(rig.gatehouse.database.path)"},
                 "directories": [{"slug": "corp", "name": "Corp", "uris": ["\(rig.slapd.uri)"], "ca_file": "\(rig.slapd.caFile)",
                   "bind_dn": "\(SlapdServer.serviceDN)", "bind_password": {"env": "CORP_BIND_PASSWORD"},
                   "base_dn": "\(SlapdServer.suffix)", "group_base_dn": "\(DirectoryFixture.groups)", "email_trusted": true}]}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            let binary = packageRoot + "/.build/debug/gatehouse"
            let dry = try ChildProcess.run(
                binary, ["directories", "sync", "--directory", "corp", "--dry-run", "--config", path],
                environment: ["CORP_BIND_PASSWORD": SlapdServer.servicePassword]
            )
            #expect(dry.status == 0, "\(dry.output)")
            #expect(dry.output.contains("directory=corp; dry_run=true; entries=4"))
            #expect(!dry.output.contains(SlapdServer.servicePassword))
            let unknown = try ChildProcess.run(binary, ["directories", "sync", "--directory", "nope", "--config", path],
                                               environment: ["CORP_BIND_PASSWORD": SlapdServer.servicePassword])
            #expect(unknown.status == 2)
        }
    }

    /// A finished run and a stopped one, in `/metrics` as a scraper reads it.
    @Test func runsAreInTheMetrics() throws {
        try withRig(maximumPercent: nil) { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            #expect(try rig.submit("bob", "bob-pw", browser: BrowserClient()).status == 303)
            _ = try sync(rig)
            try delete("alice", from: rig)
            _ = try sync(rig)
            let metrics = try rig.browser.get("\(rig.origin)/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"gatehouse_directory_sync_runs_total{directory="corp",result="finished"} 1"#))
            #expect(metrics.text.contains(#"gatehouse_directory_sync_runs_total{directory="corp",result="stopped"} 1"#))
            #expect(metrics.text.contains(#"gatehouse_directory_sync_last_entries{directory="corp"} 3"#))
            #expect(metrics.text.contains(#"gatehouse_directory_sync_last_stopped{directory="corp"} 1"#))
        }
    }

    /// The admin API: a dry run on demand with an admin token, the directory's view with its
    /// last run, and a token without the admin scope refused.
    @Test func theAdminAPISyncsOnDemandAndShowsTheLastRun() throws {
        try withRig { (rig: Rig) throws in
            #expect(try rig.submit("alice", "alice-pw").status == 303)
            let admin = try rig.gatehouse.app.administration.createToken(NewToken(name: "ops", scopes: ["admin"]), by: .commandLine).secret
            let reader = try rig.gatehouse.app.administration.createToken(NewToken(name: "reader", scopes: ["providers:read"]), by: .commandLine).secret
            let api = BrowserClient()
            func call(_ method: String, _ path: String, _ token: String, _ json: String = "") throws -> BrowserClient.Page {
                try api.send(method, rig.origin + path, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                             body: Array(json.utf8))
            }
            #expect(try call("POST", "/api/v1/admin/directories/corp/sync", reader, #"{"dry_run": true}"#).status == 403)
            let ran = try call("POST", "/api/v1/admin/directories/corp/sync", admin, #"{"dry_run": true}"#)
            #expect(ran.status == 200, "\(ran.text)")
            #expect(ran.text.contains(#""dry_run":true"#) && ran.text.contains(#""entries":4"#))
            let listed = try call("GET", "/api/v1/admin/directories", reader)
            #expect(listed.status == 200)
            #expect(listed.text.contains(#""slug":"corp""#) && listed.text.contains(#""last_sync":{"#))
            #expect(!listed.text.contains(SlapdServer.servicePassword))
            #expect(try call("POST", "/api/v1/admin/directories/nope/sync", admin, "{}").status == 404)
        }
    }
}
