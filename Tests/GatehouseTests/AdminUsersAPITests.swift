import Crypto
import Foundation
import Gatehouse
import Store
import Testing
import TestSupport

/// Issue 13 sections 1 and 4, users: through the real server with real tokens.
@Suite(.serialized) struct AdminUsersAPITests {
    @Test func createReadAndChangeWithTheVersionChecked() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersRead, .usersWrite], name: "provisioner")
        let created = try api.call("POST", "/api/v1/admin/users", token: token, json: #"""
            {"username": "alice", "email": "alice@example.com", "email_verified": true, "display_name": "Alice", "generate_password": true}
            """#)
        #expect(created.status == 201, "\(created.text)")
        let user = try #require(created.json["user"] as? [String: Any])
        let id = try #require(user["id"] as? Int)
        #expect(created.header("Location") == "/api/v1/admin/users/\(id)")
        #expect((created.json["generated_password"] as? String)?.count == 24)
        #expect(user["email_verified_by"] as? String == "admin" && user["has_password"] as? Bool == true)

        let read = try api.call("GET", "/api/v1/admin/users/\(id)", token: token)
        let tag = try #require(read.header("ETag"))
        // Another operator changes the user meanwhile: the first one's tag is stale.
        let other = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"display_name": "Alice A."}"#)
        #expect(other.status == 200 && other.header("ETag") != tag)
        let stale = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"display_name": "Overwritten"}"#,
                                 headers: [("If-Match", tag)])
        #expect(stale.status == 412 && stale.code == "version_mismatch")
        #expect(stale.header("ETag") == other.header("ETag"))
        let fresh = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"display_name": "Alice B."}"#,
                                 headers: [("If-Match", try #require(other.header("ETag")))])
        #expect(fresh.status == 200 && fresh.json["display_name"] as? String == "Alice B.")
        #expect(try api.call("GET", "/api/v1/admin/users/\(id)", token: token).header("ETag") == fresh.header("ETag"))

        // Every write is in the audit log, naming the token and the request.
        let updates = try api.audit(.userUpdated)
        #expect(updates.count == 2 && updates.allSatisfy { $0.actor == "token:provisioner" && $0.requestID?.isEmpty == false })
        #expect(updates.allSatisfy { $0.detail == "fields=display_name" })
        #expect(try api.audit(.userCreated).first?.actor == "token:provisioner")
    }

    /// A new address is unverified unless the change vouches for it; a verifier must be one
    /// Gatehouse knows.
    @Test func aNewEmailIsUnverifiedUnlessTheChangeSaysSo() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        let id = try api.administration.createUser(NewUser(username: "bo", email: "bo@example.com", emailVerified: true), by: .commandLine).user.id
        let moved = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"email": "bo@elsewhere.example"}"#)
        #expect(moved.json["email_verified"] as? Bool == false && moved.json["email_verified_by"] is NSNull)
        let vouched = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"email_verified_by": "provider:dev"}"#)
        #expect(vouched.json["email_verified_by"] as? String == "provider:dev")
        let unknown = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"email_verified_by": "provider:nowhere"}"#)
        #expect(unknown.status == 422)
        let removed = try api.call("PATCH", "/api/v1/admin/users/\(id)", token: token, json: #"{"email": null}"#)
        #expect(removed.json["email"] is NSNull && removed.json["email_verified"] as? Bool == false)
    }

    /// Problems come as one 422 listing every field with its JSON Pointer; a body that is not
    /// JSON is 400, one that is not declared JSON 415. Nothing is written.
    @Test func invalidBodiesAreRefusedFieldByField() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        let invalid = try api.call("POST", "/api/v1/admin/users", token: token, json: #"""
            {"username": "al ice", "email": "nope", "nickname": "x", "identities": [{"provider": "nowhere", "colour": 1}]}
            """#)
        #expect(invalid.status == 422 && invalid.code == "validation_failed")
        let pointers = Set((invalid.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String })
        #expect(pointers == ["/username", "/email", "/nickname", "/identities/0/provider", "/identities/0/colour"])

        let escaped = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "x", "a/b~c": 1}"#)
        #expect((escaped.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/a~1b~0c", "RFC 6901 escapes")
        let notJSON = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "x",}"#)
        #expect(notJSON.status == 400 && notJSON.code == "malformed_json")
        let repeated = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "x", "username": "y"}"#)
        #expect(repeated.status == 400, "a repeated member is refused, not resolved")
        let form = try api.call("POST", "/api/v1/admin/users", token: token, headers: [("Content-Type", "text/plain")])
        #expect(form.status == 415 && form.code == "unsupported_media_type")
        #expect(try api.count("users") == 0)
    }

    /// Finding: an operator could give a second user an address another user holds verified
    /// (`DAVE@example.com` beside `dave@example.com`); the engine then refused both owners'
    /// email links as ambiguous. A verified address has one owner.
    @Test func aVerifiedAddressHasOneOwner() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        let dave = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "dave", "email": "dave@example.com", "email_verified": true}"#)
        let daveID = try #require((dave.json["user"] as? [String: Any])?["id"] as? Int)
        let erin = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "erin", "email": "DAVE@example.com", "email_verified": true}"#)
        #expect(erin.status == 409 && erin.code == "email_taken" && erin.json["owner_user_id"] as? Int == daveID, "\(erin.text)")
        #expect(try api.count("users") == 1, "nothing written")
        let unverified = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "erin", "email": "DAVE@example.com"}"#)
        #expect(unverified.status == 201, "an unverified copy claims nothing")
        let erinID = try #require((unverified.json["user"] as? [String: Any])?["id"] as? Int)
        let vouched = try api.call("PATCH", "/api/v1/admin/users/\(erinID)", token: token, json: #"{"email_verified": true}"#)
        #expect(vouched.status == 409 && vouched.code == "email_taken")
        #expect(try api.call("PATCH", "/api/v1/admin/users/\(daveID)", token: token, json: #"{"display_name": "Dave"}"#).status == 200, "the owner is untouched")
    }

    /// Finding: the username rules ran before composing (NFC), and U+1D15E grows from four bytes
    /// to eight when composed, so 63 of them (252 bytes) were stored as 504, past the 255 the
    /// rules allow. The rules judge the name as it is stored.
    @Test func aUsernameIsCheckedAsItIsStored() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        let growing = String(repeating: "\u{1D15E}", count: 63)
        #expect(growing.utf8.count == 252 && growing.precomposedStringWithCanonicalMapping.utf8.count == 504)
        let created = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "\#(growing)"}"#)
        #expect(created.status == 422, "\(created.text)")
        #expect((created.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/username")
        #expect(try api.count("users") == 0)
    }

    /// Issue 11's rule holds here too: a username that differs from another only by case,
    /// width or a look-alike character is a conflict, at creation and at renaming.
    @Test func lookAlikeUsernamesConflict() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        #expect(try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "carol"}"#).status == 201)
        let twin = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "саrol"}"#)
        #expect(twin.status == 409 && twin.code == "username_taken")
        let dave = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "dave"}"#)
        let daveID = try #require((dave.json["user"] as? [String: Any])?["id"] as? Int)
        let rename = try api.call("PATCH", "/api/v1/admin/users/\(daveID)", token: token, json: #"{"username": "CAROL"}"#)
        #expect(rename.status == 409 && rename.code == "username_taken")
        #expect(try api.count("users") == 2)
    }

    /// Deactivation revokes every session at once: forward-auth refuses the very next request.
    @Test func deactivationEndsSessionsAtForwardAuthAtOnce() throws {
        let api = try AdminAPIRig(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, gatehouseExtra: #"""
            , "forward_auth": {"protected_hosts": [{"url": "http://127.0.0.1:1"}]}
            """#)
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        let verify = { try api.rig.browser.get("\(api.origin)/auth/verify", headers: [
            ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "127.0.0.1:1"), ("X-Forwarded-Uri", "/"),
        ]).status }
        #expect(try verify() == 200)
        #expect(try verify() == 200, "a second request within the second comes from forward-auth's cache")
        let userID = try #require(try api.administration.listUsers(UserQuery(), PageRequest(limit: 10)).items.first?.id)
        let answer = try api.call("POST", "/api/v1/admin/users/\(userID)/deactivate", token: try api.token([.usersWrite]))
        #expect(answer.status == 200 && answer.json["active"] as? Bool == false)
        #expect(try verify() == 401)
        #expect(try api.count("sessions", where: "user_id = \(userID) AND revoked_at IS NULL") == 0)
        #expect(try api.audit(.userDeactivated).first?.detail == "sessions_revoked=1")
    }

    /// Review finding: a PATCH that sent the username back unchanged (clients that echo the
    /// whole representation) turned a provider's verification into the operator's, which every
    /// provider's username matching accepts. Only a username the operator changes is theirs.
    @Test func aUsernameSentBackUnchangedKeepsItsVerifier() throws {
        let api = try AdminAPIRig(providerJSON: #""username_claim_trusted": true"#)
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        let token = try api.token([.usersRead, .usersWrite])
        let path = "/api/v1/admin/users/1"
        #expect(try api.call("GET", path, token: token).json["username_verified_by"] as? String == "provider:dev")
        let echoed = try api.call("PATCH", path, token: token, json: #"{"username": "alice", "display_name": "Alice"}"#)
        #expect(echoed.status == 200 && echoed.json["username_verified_by"] as? String == "provider:dev", "\(echoed.text)")
        let renamed = try api.call("PATCH", path, token: token, json: #"{"username": "alice.example"}"#)
        #expect(renamed.status == 200 && renamed.json["username_verified_by"] as? String == "admin", "\(renamed.text)")
    }

    /// Migration 0022 leaves a username nobody is shown to have chosen with a verifier no provider
    /// accepts; an operator who knows the account vouches for it (`username_verified`), or
    /// withdraws a verification, and the applications behind forward-auth see it at once.
    @Test func anOperatorVouchesForAUsernameOrWithdrawsIt() throws {
        let api = try AdminAPIRig(providerJSON: #""username_claim_trusted": true"#, serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, gatehouseExtra: #"""
            , "forward_auth": {"protected_hosts": [{"url": "http://127.0.0.1:1"}]}
            """#)
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        let remoteUser = { () throws -> String? in
            try api.rig.browser.get("\(api.origin)/auth/verify", headers: [
                ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "127.0.0.1:1"), ("X-Forwarded-Uri", "/"),
            ]).header("Remote-User")
        }
        #expect(try remoteUser() == "alice")
        let token = try api.token([.usersRead, .usersWrite])
        let path = "/api/v1/admin/users/1"
        let withdrawn = try api.call("PATCH", path, token: token, json: #"{"username_verified": false}"#)
        #expect(withdrawn.status == 200, "\(withdrawn.text)")
        #expect(withdrawn.json["username_verified"] as? Bool == false && withdrawn.json["username_verified_by"] is NSNull, "\(withdrawn.text)")
        #expect(try remoteUser() == "user:1", "an unverified username never reaches an application")
        try api.database.write { try $0.execute("UPDATE users SET username_verified = 1, username_verified_by = 'provider:(unknown)' WHERE id = 1") }
        let vouched = try api.call("PATCH", path, token: token, json: #"{"username_verified": true}"#)
        #expect(vouched.status == 200 && vouched.json["username_verified_by"] as? String == "admin", "\(vouched.text)")
        #expect(try api.audit(.userUpdated).map(\.detail) == ["fields=username_verified", "fields=username_verified"])
        #expect(try api.call("PATCH", path, token: token, json: #"{"username_verified": "yes"}"#).status == 422)
    }

    /// Deleting a user removes their identities and sessions and keeps what the trail said.
    @Test func deleteKeepsTheAuditTrail() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        let user = try #require(try api.administration.listUsers(UserQuery(), PageRequest(limit: 10)).items.first)
        let before = try api.count("audit_log", where: "user_id = \(user.id)")
        #expect(before >= 2)
        let token = try api.token([.usersRead, .usersWrite])
        let stale = try api.call("DELETE", "/api/v1/admin/users/\(user.id)", token: token, headers: [("If-Match", "\"0\"")])
        #expect(stale.status == 412)
        #expect(try api.call("DELETE", "/api/v1/admin/users/\(user.id)", token: token).status == 204)
        #expect(try api.call("GET", "/api/v1/admin/users/\(user.id)", token: token).status == 404)
        #expect(try api.count("identities") == 0)
        #expect(try api.count("sessions", where: "user_id IS NOT NULL") == 0)
        #expect(try api.count("audit_log", where: "user_id = \(user.id)") == before + 1)
        #expect(try api.rig.me().status == 401, "the person's session ended with them")
    }

    /// Review finding: without AUTOINCREMENT, deleting the newest user gave its id to the next
    /// user made, so `user:<id>` at forward-auth and the audit trail named two people.
    @Test func aDeletedUsersIDIsNeverGivenAgain() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        _ = try api.administration.createUser(NewUser(username: "first"), by: .commandLine)
        let newest = try api.administration.createUser(NewUser(username: "newest", identities: [NewIdentity(provider: "dev", subject: "n")]), by: .commandLine)
        #expect(try api.call("DELETE", "/api/v1/admin/users/\(newest.user.id)", token: token).status == 204)
        let next = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "next", "identities": [{"provider": "dev", "subject": "m"}]}"#)
        let user = try #require(next.json["user"] as? [String: Any])
        #expect((user["id"] as? Int).map(Int64.init) ?? 0 > newest.user.id)
        let identity = try #require((next.json["identities"] as? [[String: Any]])?.first?["id"] as? Int)
        #expect(Int64(identity) > newest.identities[0].id)
    }

    /// Removing a password is refused when it is the user's last way to sign in, as unlinking
    /// the last identity is.
    @Test func theLastPasswordIsNotRemoved() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        let user = try api.administration.createUser(NewUser(username: "pat", password: .given("a long enough password")), by: .commandLine)
        let refused = try api.call("PUT", "/api/v1/admin/users/\(user.user.id)/password", token: token, json: #"{"password": null}"#)
        #expect(refused.status == 409 && refused.code == "last_sign_in_method")
        #expect(try api.database.read { try UserRepository($0).passwordHash(userID: user.user.id) } != nil)
    }

    /// Review findings: at most 16 identities come with a new user, and a conflict among them
    /// names which one.
    @Test func newUsersIdentitiesAreBoundedAndNamedInConflicts() throws {
        let api = try AdminAPIRig(providerJSON: #""multiple_identities": "allow""#)
        defer { api.stop() }
        let token = try api.token([.usersWrite])
        let many = (0..<17).map { #"{"provider": "dev", "subject": "s\#($0)"}"# }.joined(separator: ", ")
        let tooMany = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "m", "identities": [\#(many)]}"#)
        #expect(tooMany.status == 422 && (tooMany.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/identities")
        _ = try api.administration.createUser(NewUser(username: "owner", identities: [NewIdentity(provider: "dev", subject: "taken")]), by: .commandLine)
        let conflict = try api.call("POST", "/api/v1/admin/users", token: token, json: #"""
            {"username": "n", "identities": [{"provider": "dev", "subject": "free"}, {"provider": "dev", "subject": "taken"}]}
            """#)
        #expect(conflict.status == 409 && conflict.json["pointer"] as? String == "/identities/1")
        #expect(try api.count("users") == 1, "the user and its first identity were rolled back with it")
    }

    /// Finding: every item of an over-long array was read and each bad one listed, so a 1 MiB
    /// body of `0`s gave a 74 MB answer listing a million errors. A long array is one problem,
    /// unread, and an answer lists at most 50 problems.
    @Test func aSmallBodyOfManyItemsIsOneProblem() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.usersWrite, .admin])
        let zeros = Array(repeating: "0", count: 100_000).joined(separator: ",")
        let users = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "x", "identities": [\#(zeros)]}"#)
        #expect(users.status == 422)
        let errors = try #require(users.json["errors"] as? [[String: Any]])
        #expect(errors.count == 1 && errors[0]["detail"] as? String == "must have at most 16 items, not 100000", "\(errors.prefix(2))")
        let scopes = try api.call("POST", "/api/v1/admin/tokens", token: token, json: #"{"name": "t", "scopes": [\#(zeros)]}"#)
        #expect(scopes.status == 422 && (scopes.json["errors"] as? [[String: Any]])?.count == 1)
        let unknown = (0..<5_000).map { #""k\#($0)": 0"# }.joined(separator: ",")
        let members = try api.call("POST", "/api/v1/admin/users", token: token, json: #"{"username": "x", \#(unknown)}"#)
        #expect(members.status == 422 && (members.json["errors"] as? [[String: Any]])?.count == 50)
        #expect((members.json["detail"] as? String)?.hasPrefix("5000 fields are invalid.") == true, "\(members.json["detail"] ?? "")")
        #expect(members.text.utf8.count < 16_384)
    }

    @Test func listingsFilterByTextEmailStateAndProvider() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let admin = api.administration
        _ = try admin.createUser(NewUser(username: "erin", email: "erin@bücher.example", displayName: "Erin Example"), by: .commandLine)
        let frank = try admin.createUser(NewUser(username: "frank", email: "frank@example.com", identities: [NewIdentity(provider: "dev")]), by: .commandLine)
        _ = try admin.deactivateUser(frank.user.id, by: .commandLine)
        let token = try api.token([.usersRead])
        func names(_ query: String) throws -> [String] {
            try api.call("GET", "/api/v1/admin/users?\(query)", token: token).items.compactMap { $0["username"] as? String }
        }
        #expect(try names("q=EXAMPLE") == ["erin", "frank"], "display name and email, ASCII case aside")
        #expect(try names("q=%25") == [], "the LIKE wildcard is taken literally")
        #expect(try names("email=ERIN%40xn--bcher-kva.example") == ["erin"], "by the address's matching key")
        #expect(try names("active=false") == ["frank"])
        #expect(try names("provider=dev") == ["frank"])
        #expect(try api.call("GET", "/api/v1/admin/users?activ=false", token: token).status == 400, "a misspelled filter is refused")
        #expect(try api.call("GET", "/api/v1/admin/users?active=yes", token: token).status == 400)
    }

    /// Finding: replacing or removing a password left the sessions it had opened valid, so a
    /// reset after a leak did not end the attacker's session. They end in the same transaction.
    @Test func resettingAPasswordEndsTheSessionsItSignedIn() throws {
        let api = try AdminAPIRig(serverExtra: #", "trusted_proxies": ["127.0.0.1"]"#, gatehouseExtra: #"""
            , "forward_auth": {"protected_hosts": [{"url": "http://127.0.0.1:1"}]}
            """#)
        defer { api.stop() }
        let verify = [("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "127.0.0.1:1"), ("X-Forwarded-Uri", "/")]
        let id = try api.administration.createUser(
            // The verified address lets dev's first sign-in fill the identity: a way in without the password.
            NewUser(username: "hank", email: "hank@example.com", emailVerified: true, password: .given("the first long password"),
                    identities: [NewIdentity(provider: "dev")]),
            by: .commandLine
        ).user.id
        func signInWithPassword(_ password: String) throws -> BrowserClient {
            let browser = BrowserClient()
            let login = try browser.get("\(api.origin)/login")
            #expect(try postLoginForm(login, identifier: "hank", password: password, origin: api.origin, browser: browser).status == 303)
            #expect(try browser.get("\(api.origin)/auth/verify", headers: verify).status == 200)
            return browser
        }
        let leaked = try signInWithPassword("the first long password")
        let token = try api.token([.usersWrite])
        #expect(try api.call("PUT", "/api/v1/admin/users/\(id)/password", token: token, json: #"{"password": "the second long password"}"#).status == 200)
        #expect(try leaked.get("\(api.origin)/auth/verify", headers: verify).status == 401, "the replaced password's session ended")
        #expect(try api.audit(.passwordSet).last?.detail == "set; sessions_revoked=1")

        let again = try signInWithPassword("the second long password")
        #expect(try api.call("PUT", "/api/v1/admin/users/\(id)/password", token: token, json: #"{"password": null}"#).status == 200)
        #expect(try again.get("\(api.origin)/auth/verify", headers: verify).status == 401, "the removed password's session ended")
    }

    /// Finding: only listings checked their query parameters, so `DELETE …?dry_run=true` deleted
    /// the user and `PUT …/password` with a stale `If-Match` changed it. Every operation refuses
    /// what it does not declare, before doing anything.
    @Test func anUndeclaredParameterIsRefusedOnEveryOperation() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let id = try api.administration.createUser(NewUser(username: "ivy", identities: [NewIdentity(provider: "dev")]), by: .commandLine).user.id
        let token = try api.token([.usersWrite, .usersRead])
        let deleted = try api.call("DELETE", "/api/v1/admin/users/\(id)?dry_run=true", token: token)
        #expect(deleted.status == 400 && deleted.code == "invalid_request", "\(deleted.text)")
        #expect(try api.call("GET", "/api/v1/admin/users/\(id)", token: token).status == 200, "still there")
        let password = try api.call(
            "PUT", "/api/v1/admin/users/\(id)/password", token: token, json: #"{"password": "a long enough passphrase"}"#,
            headers: [("If-Match", "\"stale\"")]
        )
        #expect(password.status == 400 && password.code == "invalid_request", "\(password.text)")
        #expect(try api.call("GET", "/api/v1/admin/users/\(id)", token: token).json["has_password"] as? Bool == false)
        #expect(try api.call("GET", "/api/v1/admin/users/\(id)?fields=all", token: token).status == 400)
        #expect(try api.call("GET", "/api/v1/admin/users?limit=1", token: token).status == 200, "declared ones still pass")
    }

    @Test func aPasswordSetThroughTheAPISignsIn() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let id = try api.administration.createUser(
            NewUser(username: "gina", email: "gina@example.com", emailVerified: true, identities: [NewIdentity(provider: "dev")]), by: .commandLine
        ).user.id
        let token = try api.token([.usersWrite])
        let set = try api.call("PUT", "/api/v1/admin/users/\(id)/password", token: token, json: #"{"password": "a long enough passphrase"}"#)
        #expect(set.status == 200 && set.json["has_password"] as? Bool == true)
        let hash = try #require(try api.database.read { try UserRepository($0).passwordHash(userID: id) })
        #expect(try PasswordHash.verify(password: "a long enough passphrase", against: hash) == .match(needsRehash: false))
        let removed = try api.call("PUT", "/api/v1/admin/users/\(id)/password", token: token, json: #"{"password": null}"#)
        #expect(removed.json["has_password"] as? Bool == false)
        #expect(try api.call("PUT", "/api/v1/admin/users/\(id)/password", token: token, json: "{}").status == 422)
        #expect(!(try api.audit(.passwordSet).map(\.detail).joined().contains("passphrase")))
    }
}
