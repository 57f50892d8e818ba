import DevProvider
import Foundation
import Logging
import Store
import Synchronization
import Testing
import TestSupport

/// Issue 12 section 5: `gatehouse serve` killed with SIGKILL in the middle of a load of
/// sign-ins and account links, then started again on the same database: the file is intact,
/// every sign-in whose browser got its redirect kept its session and its link, nothing is
/// half-written, and the server serves at once.
@Suite(.serialized) struct CrashSafetyTests {
    /// What one browser saw: its sign-in (and maybe a link) answered, with the cookies to prove it.
    struct Outcome: Sendable {
        /// The session cookie the browser was given at its redirect.
        let sessionCookie: String
        let subject: String
        let signedIn: Bool
        let linkedSubject: String?
    }

    @Test func aKilledServerLosesNoAnsweredSignInAndLeavesNothingHalfWritten() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try ExternalServer.freePort()
        let origin = "http://127.0.0.1:\(port)"
        var options = DevProviderOptions()
        options.port = 0
        options.redirectURIs = ["\(origin)/oidc/dev/callback", "\(origin)/oidc/work/callback"]
        var logger = Logger(label: "dev-idp-test")
        logger.logLevel = .critical
        let provider = try DevProvider(options: options, logger: logger)
        try provider.start()
        defer { provider.shutdown() }
        let database = directory.appendingPathComponent("gatehouse.sqlite3").path
        func providerJSON(_ slug: String) -> String {
            #"{"slug": "\#(slug)", "name": "\#(slug)", "issuer": "\#(provider.issuer)", "client_id": "\#(options.clientID)", "client_secret": "\#(options.clientSecret)"}"#
        }
        let config = directory.appendingPathComponent("config.json").path
        try Data("""
            {"server": {"listen": "127.0.0.1:\(port)", "public_url": "\(origin)"}, "database": {"path": "\(database)"},
             "logging": {"level": "warning"}, "providers": [\(providerJSON("dev")), \(providerJSON("work"))]}
            """.utf8).write(to: URL(fileURLWithPath: config))

        func startServing() throws -> ChildProcess {
            let serve = try ChildProcess(CommandLineTests.binary, ["serve", "--config", config], capture: .file(directory.path + "/serve.log"))
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let probe = try? TestClient(port: port) {
                    try probe.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    if (try? probe.readResponse().status) == 200 { return serve }
                }
                guard serve.isRunning else { break }
                usleep(20_000)
            }
            throw TestClient.Failure(description: "serve did not answer /healthz")
        }

        // Four browsers sign in over and over, every third one linking a second provider from
        // its account page; the server is killed once twenty sign-ins have been answered.
        let serve = try startServing()
        let outcomes = Mutex<[Outcome]>([])
        let answered = Atomic<Int>(0)
        let workers = DispatchGroup()
        for worker in 0..<4 {
            workers.enter()
            Thread.detachNewThread {
                defer { workers.leave() }
                for round in 0..<200 {
                    let subject = "crash-\(worker)-\(round)"
                    let browser = BrowserClient()
                    var person = SignInRig.Person()
                    person.subject = subject
                    person.email = "\(subject)@example.com"
                    guard let callback = try? SignInRig.authorizeAtProvider(person, next: "/account", gatehouseOrigin: origin, browser: browser),
                          let answer = try? browser.get(callback) else { return }
                    guard answer.status == 303, let cookie = browser.cookie(named: "gatehouse_session") else { return }
                    let signedIn = true
                    answered.add(1, ordering: .relaxed)
                    var linked: String?
                    if round % 3 == 0, let account = try? browser.get("\(origin)/account"),
                       let form = HTMLForm.all(in: account.text).first(where: { $0.action == "/account/link/work" }),
                       let start = try? browser.postForm("\(origin)/account/link/work", form.fields, headers: [("Origin", origin)]),
                       let toProvider = start.location {
                        var work = person
                        work.subject = subject + "-work"
                        if let back = try? SignInRig.answerAtProvider(toProvider, work, browser: browser),
                           let done = try? browser.get(back), done.status == 303, done.header("Location") == "/account?notice=linked" {
                            linked = work.subject
                        }
                    }
                    // The link's answer keeps the session; its cookie is the one given at sign-in.
                    outcomes.withLock { $0.append(Outcome(sessionCookie: cookie.value, subject: subject, signedIn: signedIn, linkedSubject: linked)) }
                }
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while answered.load(ordering: .relaxed) < 20 && Date() < deadline { usleep(2_000) }
        #expect(answered.load(ordering: .relaxed) >= 20)
        serve.signal(SIGKILL)  // in the middle: the workers have requests in flight
        #expect(serve.wait() == 128 + SIGKILL)
        workers.wait()

        // The file is intact and nothing is half-written.
        let store = try Database(path: database)
        try store.read { connection in
            #expect(try connection.queryOne("PRAGMA integrity_check")?.string(at: 0) == "ok")
            let usersWithoutIdentity = try connection.queryOne(
                "SELECT count(*) FROM users WHERE NOT EXISTS (SELECT 1 FROM identities WHERE identities.user_id = users.id)"
            )?.int64(at: 0)
            #expect(usersWithoutIdentity == 0, "a user without the identity that created it")
            let identitiesWithoutEntry = try connection.queryOne("""
                SELECT count(*) FROM identities WHERE NOT EXISTS (
                    SELECT 1 FROM audit_log WHERE
                        (audit_log.event = 'user.provisioned' AND audit_log.user_id = identities.user_id AND identities.link_method = 'provisioned')
                     OR (audit_log.event = 'identity.linked' AND audit_log.detail LIKE '%identity=' || identities.id || ';%'))
                """)?.int64(at: 0)
            #expect(identitiesWithoutEntry == 0, "an identity without its audit entry")
            let sessionsWithoutEntry = try connection.queryOne("""
                SELECT count(*) FROM sessions WHERE user_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM audit_log WHERE audit_log.event = 'sign_in.success' AND audit_log.user_id = sessions.user_id)
                """)?.int64(at: 0)
            #expect(sessionsWithoutEntry == 0, "a session without its sign-in entry")
        }
        store.close()

        // Started again, it serves at once, and every answered sign-in and link is there.
        let restarted = try startServing()
        defer { restarted.stop() }
        let seen = outcomes.withLock { $0 }
        #expect(seen.count >= 20)
        for outcome in seen {
            let client = try TestClient(port: port)
            try client.send("GET /api/v1/me HTTP/1.1\r\nHost: t\r\nCookie: gatehouse_session=\(outcome.sessionCookie)\r\nConnection: close\r\n\r\n")
            let me = try client.readResponse()
            #expect(me.status == 200, "\(outcome.subject): its session survived")
            #expect(me.text.contains("\"subject\":\"\(outcome.subject)\""), "\(outcome.subject): its link survived")
            if let linked = outcome.linkedSubject {
                #expect(me.text.contains("\"subject\":\"\(linked)\""), "\(linked): the answered account link survived")
            }
        }
        #expect(seen.contains { $0.linkedSubject != nil }, "some links were answered before the kill")
    }
}
