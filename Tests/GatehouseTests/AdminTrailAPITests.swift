import Foundation
import Gatehouse
import JOSE
import Store
import Testing
import TestSupport

/// Issue 13 sections 1 and 4: sessions, providers, the trail, the simulator, re-keying, and
/// paging, through the real server.
@Suite(.serialized) struct AdminTrailAPITests {
    private static let verifyHeaders = [("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "127.0.0.1:1"), ("X-Forwarded-Uri", "/")]

    /// Revoking one session, or all of a user's, takes effect at forward-auth on the very next
    /// request, cache or not.
    @Test func revokedSessionsAreRefusedAtTheNextRequest() throws {
        let api = try AdminAPIRig(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, gatehouseExtra: #"""
            , "forward_auth": {"protected_hosts": [{"url": "http://127.0.0.1:1"}]}
            """#)
        defer { api.stop() }
        let laptop = BrowserClient()
        _ = try laptop.get(try SignInRig.authorizeAtProvider(SignInRig.Person(), next: "/", gatehouseOrigin: api.origin, browser: laptop))
        #expect(try api.rig.signIn().status == 303)
        let userID = try #require(try api.administration.listUsers(UserQuery(), PageRequest(limit: 5)).items.first?.id)
        let reader = try api.token([.usersRead])
        let sessions = try api.call("GET", "/api/v1/admin/users/\(userID)/sessions", token: reader)
        #expect(sessions.items.count == 2)
        #expect(!sessions.text.contains("token_hash") && !sessions.text.contains("id_token"))
        #expect(try laptop.get("\(api.origin)/auth/verify", headers: Self.verifyHeaders).status == 200)
        #expect(try api.rig.browser.get("\(api.origin)/auth/verify", headers: Self.verifyHeaders).status == 200)

        let writer = try api.token([.sessionsWrite])
        let first = try #require(sessions.items.first?["id"] as? Int)
        #expect(try api.call("DELETE", "/api/v1/admin/sessions/\(first)", token: writer).status == 204)
        #expect(try laptop.get("\(api.origin)/auth/verify", headers: Self.verifyHeaders).status == 401, "the laptop signed in first")
        #expect(try api.rig.browser.get("\(api.origin)/auth/verify", headers: Self.verifyHeaders).status == 200)
        let all = try api.call("DELETE", "/api/v1/admin/users/\(userID)/sessions", token: writer)
        #expect(all.status == 200 && all.json["revoked"] as? Int == 1)
        #expect(try api.rig.browser.get("\(api.origin)/auth/verify", headers: Self.verifyHeaders).status == 401)
        #expect(try api.call("DELETE", "/api/v1/admin/sessions/99999", token: writer).status == 404)
        #expect(try api.audit(.sessionRevoked).count == 1 && api.audit(.sessionsRevoked).first?.detail == "sessions_revoked=1")
    }

    @Test func providersShowPolicyGuardStatusAndCounts() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.providersRead])
        let before = try api.call("GET", "/api/v1/admin/providers/dev", token: token)
        #expect(before.status == 200)
        #expect((before.json["linking_guard"] as? [String: Any])?["safe"] as? Bool == true)
        let idle = try #require((before.json["status"] as? [String: Any])?["discovery"] as? [String: Any])
        #expect(idle["last_success_at"] is NSNull, "nothing fetched before a sign-in")
        #expect(try api.rig.signIn().status == 303)
        _ = try api.administration.createUser(NewUser(username: "waiting", identities: [NewIdentity(provider: "dev")]), by: .commandLine)
        let after = try api.call("GET", "/api/v1/admin/providers", token: token).items.first ?? [:]
        let status = try #require(after["status"] as? [String: Any])
        #expect((status["discovery"] as? [String: Any])?["last_success_at"] as? Int != nil)
        #expect(((status["jwks"] as? [String: Any])?["key_ids"] as? [String])?.isEmpty == false)
        #expect(after["identities"] as? [String: Int] == ["linked": 1, "pending": 1])
        #expect((after["policy"] as? [String: Any])?["user_matching_mode"] as? String == "identifier")
        #expect(try api.call("GET", "/api/v1/admin/providers/nowhere", token: token).status == 404)
    }

    /// The trail is filtered by type, user, provider and time, newest first; link decisions too.
    @Test func theTrailIsFilteredNewestFirst() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        api.rig.clock.advance(by: 100)
        var person = SignInRig.Person()
        person.subject = "bob-subject"
        person.preferredUsername = "bob"
        person.email = "bob@example.com"
        let bobBrowser = BrowserClient()
        _ = try bobBrowser.get(try SignInRig.authorizeAtProvider(person, next: "/", gatehouseOrigin: api.origin, browser: bobBrowser))
        let token = try api.token([.eventsRead])
        let signIns = try api.call("GET", "/api/v1/admin/events?type=sign_in.success", token: token).items
        #expect(signIns.count == 2)
        let times = signIns.compactMap { $0["at"] as? Int }
        #expect(times.count == 2 && times[0] == times[1] + 100, "newest first")
        let alice = try #require(signIns.last?["user_id"] as? Int)
        #expect(try api.call("GET", "/api/v1/admin/events?user_id=\(alice)&type=sign_in.success", token: token).items.count == 1)
        #expect(try api.call("GET", "/api/v1/admin/events?provider=dev", token: token).items.count >= 4)
        #expect(try api.call("GET", "/api/v1/admin/events?provider=elsewhere", token: token).items.isEmpty)
        let late = try #require(times.first)
        #expect(try api.call("GET", "/api/v1/admin/events?type=sign_in.success&since=\(late)", token: token).items.count == 1)
        #expect(try api.call("GET", "/api/v1/admin/events?type=sign_in.success&until=\(late)", token: token).items.count == 1)
        let decisions = try api.call("GET", "/api/v1/admin/link-decisions?decision=create", token: token).items
        #expect(decisions.count == 2 && decisions.allSatisfy { ($0["rule"] as? String)?.hasPrefix("3.identifier") == true })
        #expect(try api.call("GET", "/api/v1/admin/link-decisions?decision=maybe", token: token).status == 400)
    }

    /// The API's simulation is the command line's: the same explanation, and nothing written.
    @Test func theSimulatorAnswersAsTheCommandLineAndWritesNothing() throws {
        let api = try AdminAPIRig(providerJSON: #""user_matching_mode": "email_link""#)
        defer { api.stop() }
        _ = try api.administration.createUser(NewUser(username: "owner", email: "owner@example.com", emailVerified: true), by: .commandLine)
        let token = try api.token([.usersRead])
        let counts = try ["users", "identities", "link_decisions", "audit_log"].map { try api.count($0) }
        let answer = try api.call("POST", "/api/v1/admin/simulate-login", token: token, json: #"""
            {"provider": "dev", "claims": {"sub": "x-1", "email": "OWNER@example.com", "email_verified": true}}
            """#)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["decision"] as? String == "link" && answer.json["rule"] as? String == "3.email_link.one_match.first_link")
        let claims: [String: JSONValue] = ["sub": .string("x-1"), "email": .string("OWNER@example.com"), "email_verified": .bool(true)]
        let report = try api.administration.simulateLogin(provider: "dev", claims: claims)
        #expect(answer.json["explanation"] as? String == report.text())
        #expect(try ["users", "identities", "link_decisions", "audit_log"].map { try api.count($0) } == counts)
        let noSubject = try api.call("POST", "/api/v1/admin/simulate-login", token: token, json: #"{"provider": "dev", "claims": {}}"#)
        #expect(noSubject.status == 422)
    }

    /// A dry run reports what would move and writes nothing; the real run moves it in one
    /// audited transaction; a collision refuses it whole.
    @Test func reKeyingAnIssuer() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let admin = api.administration
        let user = try admin.createUser(NewUser(username: "u", identities: [NewIdentity(provider: "dev", subject: "s")]), by: .commandLine)
        let issuer = user.identities[0].issuer
        let token = try api.token([.admin], name: "ops")
        let dry = try api.call("POST", "/api/v1/admin/providers/dev/rekey-issuer", token: token,
                               json: #"{"from": "\#(issuer)", "to": "https://new.example", "dry_run": true}"#)
        #expect(dry.status == 200 && dry.json["identities"] as? Int == 1 && dry.json["moved"] as? Bool == false)
        #expect(try api.count("identities", where: "issuer = '\(issuer)'") == 1)
        #expect(try api.call("POST", "/api/v1/admin/providers/dev/rekey-issuer", token: try api.token([.usersWrite]),
                             json: #"{"from": "\#(issuer)", "to": "https://new.example"}"#).status == 403, "admin scope only")
        let real = try api.call("POST", "/api/v1/admin/providers/dev/rekey-issuer", token: token,
                                json: #"{"from": "\#(issuer)", "to": "https://new.example"}"#)
        #expect(real.json["moved"] as? Bool == true)
        #expect(try api.count("identities", where: "issuer = 'https://new.example'") == 1)
        #expect(try api.audit(.issuerRekeyed).first?.actor == "token:ops")
        // The operator rules refuse to link the subject under the old issuer again (it would be an
        // issuer change); a database that lived through the change twice holds it anyway.
        let again = try api.call("POST", "/api/v1/admin/users/\(user.user.id)/identities", token: token, json: #"{"provider": "dev", "subject": "s"}"#)
        #expect(again.status == 409 && again.code == "identity_issuer_changed")
        try api.database.write { connection in
            try connection.execute(
                "INSERT INTO identities (user_id, provider, issuer, subject, link_method, linked_at) VALUES (?, 'dev', ?, 's', 'admin', 1)",
                [.integer(user.user.id), .text(issuer)]
            )
        }
        let collision = try api.call("POST", "/api/v1/admin/providers/dev/rekey-issuer", token: token,
                                     json: #"{"from": "\#(issuer)", "to": "https://new.example"}"#)
        #expect(collision.status == 409 && collision.code == "rekey_collision")
        #expect(try api.count("identities", where: "issuer = '\(issuer)'") == 1, "nothing moved")
    }

    /// Every write through the API is in the audit log with the token's name as the actor and
    /// the request's id (the answer's `X-Request-ID`), in the same transaction as the change.
    @Test func everyWriteIsAuditedWithTheTokenAndTheRequest() throws {
        let api = try AdminAPIRig(providerJSON: #""multiple_identities": "allow""#)
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        let person = try #require(try api.administration.listUsers(UserQuery(), PageRequest(limit: 1)).items.first)
        let token = try api.token([.admin], name: "auditor")
        var requestIDs: [String] = []
        func write(_ method: String, _ path: String, _ json: String? = nil) throws -> AdminAPIRig.Answer {
            let answer = try api.call(method, path, token: token, json: json)
            #expect((200..<300).contains(answer.status), "\(method) \(path): \(answer.text)")
            requestIDs.append(try #require(answer.header("X-Request-ID")))
            return answer
        }
        let created = try write("POST", "/api/v1/admin/users", #"{"username": "w", "password": "a long password here"}"#)
        let id = try #require((created.json["user"] as? [String: Any])?["id"] as? Int)
        _ = try write("PATCH", "/api/v1/admin/users/\(id)", #"{"display_name": "W"}"#)
        _ = try write("PUT", "/api/v1/admin/users/\(id)/password", #"{"password": "another long password"}"#)
        let identity = try write("POST", "/api/v1/admin/users/\(id)/identities", #"{"provider": "dev", "subject": "w-1"}"#)
        _ = try write("DELETE", "/api/v1/admin/identities/\(identity.json["id"] as? Int ?? 0)")
        _ = try write("DELETE", "/api/v1/admin/users/\(person.id)/sessions")
        _ = try write("POST", "/api/v1/admin/users/\(id)/deactivate")
        let newToken = try write("POST", "/api/v1/admin/tokens", #"{"name": "spare", "scopes": ["events:read"]}"#)
        _ = try write("DELETE", "/api/v1/admin/tokens/\(newToken.json["id"] as? Int ?? 0)")
        _ = try write("POST", "/api/v1/admin/providers/dev/rekey-issuer", #"{"from": "https://nowhere.example", "to": "https://new.example"}"#)
        _ = try write("DELETE", "/api/v1/admin/users/\(id)")
        let entries = try api.database.read { connection in
            try connection.query("SELECT request_id, actor FROM audit_log WHERE actor = 'token:auditor'").map { row in
                (try row.optionalString("request_id") ?? "", try row.optionalString("actor") ?? "")
            }
        }
        for requestID in requestIDs {
            #expect(entries.contains { $0.0 == requestID }, "no audit entry for request \(requestID)")
        }
        #expect(entries.count >= requestIDs.count)
    }

    /// Pages follow ids, so rows inserted between two pages neither repeat nor push rows off:
    /// users oldest first (a new one comes last), the trail newest first (a new entry is not on
    /// the pages that follow).
    @Test func pagingIsStableUnderConcurrentInserts() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let admin = api.administration
        for name in ["u1", "u2", "u3", "u4", "u5"] { _ = try admin.createUser(NewUser(username: name), by: .commandLine) }
        let token = try api.token([.usersRead, .eventsRead])
        var seen: [String] = []
        var path = "/api/v1/admin/users?limit=2"
        var pages = 0
        while pages < 10 {
            let page = try api.call("GET", path, token: token)
            seen += page.items.compactMap { $0["username"] as? String }
            pages += 1
            if pages == 1 { _ = try admin.createUser(NewUser(username: "u6"), by: .commandLine) }
            guard let cursor = page.json["next_cursor"] as? String else { break }
            path = "/api/v1/admin/users?limit=2&cursor=\(cursor)"
        }
        #expect(seen == ["u1", "u2", "u3", "u4", "u5", "u6"])

        let first = try api.call("GET", "/api/v1/admin/events?type=user.created&limit=3", token: token)
        _ = try admin.createUser(NewUser(username: "u7"), by: .commandLine)
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = try api.call("GET", "/api/v1/admin/events?type=user.created&limit=3&cursor=\(cursor)", token: token)
        let ids = (first.items + second.items).compactMap { $0["id"] as? Int }
        #expect(ids.count == 6 && Set(ids).count == 6 && ids == ids.sorted(by: >), "\(ids)")
        #expect(second.json["next_cursor"] is NSNull)

        #expect(try api.call("GET", "/api/v1/admin/users?limit=0", token: token).status == 400)
        #expect(try api.call("GET", "/api/v1/admin/users?limit=201", token: token).status == 400)
        let madeUp = try api.call("GET", "/api/v1/admin/users?cursor=bm90LW91cnM", token: token)
        #expect(madeUp.status == 422 && (madeUp.json["errors"] as? [[String: Any]])?.first?["parameter"] as? String == "cursor")
        #expect(try api.call("GET", "/api/v1/admin/users", token: token).items.count == 7, "50 when no limit is given")
    }
}
