import Foundation
import Testing
@testable import Store
import TestSupport

/// Review finding: while another process held the database's writer past the busy timeout (an
/// operator's command, a migration), a sign-in's start, its callback and the account page's link
/// answered 502 "The sign-in provider cannot be reached", and sign-out and unlink a 500 server
/// fault. Each is now the busy page, 503 with `Retry-After`, and the same step works once the
/// writer is let go.
@Suite struct DatabaseBusyPagesTests {
    @Test func everyPageThatWritesSaysBusyWhileAnotherProcessHoldsTheWriter() throws {
        let rig = try SignInRig(
            providerJSON: #""multiple_identities": "allow""#, alsoAs: ["work"], databaseExtra: #", "busy_timeout_ms": 200"#
        )
        defer { rig.stop() }
        _ = try rig.signIn()
        let link = try #require(try forms(rig)["/account/link/work"])
        let started = try rig.browser.postForm("\(rig.origin)/account/link/work", link.fields, headers: [("Origin", rig.origin)])
        var atWork = SignInRig.Person()
        atWork.subject = "alice-at-work"
        #expect(try rig.browser.get(try rig.answerAtProvider(try #require(started.location), atWork)).status == 303)
        let account = try forms(rig)
        // A second person, back from the provider, about to finish.
        let second = BrowserClient()
        var bob = SignInRig.Person()
        bob.subject = "bob"
        bob.email = "bob@example.com"
        let callback = try rig.answerAtProvider(
            try #require(try second.get("\(rig.origin)/oidc/dev/authorize?next=%2F").location), bob, browser: second
        )

        // Another process holds the writer, as `gatehouse` commands and migrations do.
        let other = try Store.Connection(path: rig.gatehouse.database.path, flags: 2, busyTimeoutMilliseconds: 100, statementCacheCapacity: 4)
        defer { other.close() }
        try other.execute("BEGIN IMMEDIATE")
        let unlink = try #require(account.first { $0.key.hasSuffix("/unlink") }?.value)
        let logout = try #require(account["/logout"])
        let answers: [(String, BrowserClient.Page)] = [
            ("a start", try BrowserClient().get("\(rig.origin)/oidc/dev/authorize?next=%2F")),
            ("a callback", try second.get(callback)),
            ("a link", try rig.browser.postForm("\(rig.origin)/account/link/work", link.fields, headers: [("Origin", rig.origin)])),
            ("an unlink", try rig.browser.postForm("\(rig.origin)\(unlink.action)", unlink.fields, headers: [("Origin", rig.origin)])),
            ("a sign-out", try rig.browser.postForm("\(rig.origin)/logout", logout.fields, headers: [("Origin", rig.origin)])),
        ]
        for (what, page) in answers {
            #expect(page.status == 503, "\(what): \(page.status)")
            #expect(page.header("Retry-After") == "5", "\(what)")
            #expect(page.text.contains("<title>Gatehouse is busy · Gatehouse</title>"), "\(what): \(page.text.prefix(300))")
        }
        try other.execute("ROLLBACK")

        #expect(try BrowserClient().get("\(rig.origin)/oidc/dev/authorize?next=%2F").status == 302, "a start works again")
        #expect(try rig.browser.postForm("\(rig.origin)/logout", logout.fields, headers: [("Origin", rig.origin)]).status == 303)
        #expect(try rig.count("sessions", where: "revoked_at IS NULL") == 0, "the sign-out happened once the writer was free")
    }

    private func forms(_ rig: SignInRig) throws -> [String: HTMLForm] {
        let page = try rig.browser.get("\(rig.origin)/account")
        return Dictionary(HTMLForm.all(in: page.text).map { ($0.action, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
