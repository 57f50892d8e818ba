import Crypto
import Foundation
import Store
import Testing
import TestSupport

/// `POST /login` over real sockets against a real SQLite file: the password form, its
/// identification step, the generic refusal, rate limiting, and CSRF.
@Suite(.serialized) struct PasswordLoginTests {
    /// Cheap hashing for tests; the first sign-in upgrades it to the recommended parameters.
    static let testParameters = try! PasswordHashParameters(logN: 4, blockSize: 8, parallelism: 1)

    private func withRig(loginJSON: String = "", _ body: (SignInRig) throws -> Void) throws {
        let rig = try SignInRig(gatehouseExtra: loginJSON.isEmpty ? "" : #", "login": {\#(loginJSON)}"#)
        defer { rig.stop() }
        try body(rig)
    }

    private func addUser(_ rig: SignInRig, username: String = "carol", email: String = "carol@example.com", password: String = "correct horse") throws {
        let hash = try PasswordHash.make(password: password, parameters: Self.testParameters)
        try rig.gatehouse.database.write { connection in
            let user = try UserRepository(connection).create(username: username, email: email, emailVerified: true, displayName: "Carol", now: 1)
            try UserRepository(connection).setPasswordHash(userID: user.id, hash: hash, now: 1)
        }
    }

    /// Opens /login, fills the form and posts it as the browser would (with its Origin).
    private func submit(_ rig: SignInRig, identifier: String, password: String?, next: String = "/") throws -> BrowserClient.Page {
        let page = try rig.browser.get("\(rig.origin)/login?next=\(BrowserClient.formEncode([("", next)]).dropFirst())")
        var form = try #require(HTMLForm.all(in: page.text).first { $0.action == "/login" })
        form.set("identifier", identifier)
        form.fields.removeAll { $0.0 == "password" }
        if let password { form.fields.append(("password", password)) }
        return try rig.browser.postForm("\(rig.origin)/login", form.fields, headers: [("Origin", rig.origin)])
    }

    @Test func aCorrectPasswordSignsInAndGoesToNext() throws {
        try withRig { rig in
            try addUser(rig)
            let answer = try submit(rig, identifier: "Carol@Example.com", password: "correct horse", next: "/account")
            #expect(answer.status == 303, "\(answer.text)")
            #expect(answer.header("Location") == "/account")
            let account = try rig.browser.get("\(rig.origin)/account")
            #expect(account.status == 200)
            #expect(account.text.contains("carol@example.com"))
            #expect(try rig.auditEvents().contains { $0.event == "login.success" })
        }
    }

    @Test func aWrongPasswordAndAnUnknownUserGetTheSameAnswer() throws {
        try withRig { rig in
            try addUser(rig)
            let wrong = try submit(rig, identifier: "carol", password: "wrong horse")
            let unknown = try submit(rig, identifier: "mallory", password: "wrong horse")
            #expect(wrong.status == 401)
            #expect(unknown.status == 401)
            #expect(wrong.text.contains("do not match an account here"))
            #expect(unknown.text.contains("do not match an account here"))
            #expect(rig.browser.cookie(named: "gatehouse_session") != nil)
            #expect(try rig.me().status == 401, "no signed-in session came of either")
            let details = try rig.auditEvents().filter { $0.event == "login.failed" }.map(\.detail)
            #expect(details.count == 2)
            #expect(!details.contains { $0.contains("horse") }, "no password in the audit trail")
        }
    }

    @Test func repeatedFailuresAreRateLimitedWithRetryAfter() throws {
        try withRig { rig in
            try addUser(rig)
            var last: BrowserClient.Page?
            for _ in 0..<7 { last = try submit(rig, identifier: "carol", password: "nope") }
            let limited = try #require(last)
            #expect(limited.status == 429)
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(limited.text.contains("Too many failed attempts"))
            let correctButLimited = try submit(rig, identifier: "carol", password: "correct horse")
            #expect(correctButLimited.status == 429, "while limited, not even the right password is checked")
            #expect(try rig.auditEvents().contains { $0.event == "login.rate_limited" })
        }
    }

    @Test func withoutAPasswordAKnownIdentifierContinuesToThePasswordStep() throws {
        try withRig { rig in
            try addUser(rig)
            let known = try submit(rig, identifier: "carol", password: nil)
            #expect(known.status == 200)
            #expect(known.text.contains("Enter your password."))
            #expect(known.text.contains(#"value="carol""#))
            let unknown = try submit(rig, identifier: "mallory", password: nil)
            #expect(unknown.status == 401)
            #expect(unknown.text.contains("There is no account with a password"))
        }
    }

    @Test func pretendingUnknownUsersExistRevealsNothing() throws {
        try withRig(loginJSON: #""pretend_unknown_users_exist": true"#) { rig in
            let unknown = try submit(rig, identifier: "mallory", password: nil)
            #expect(unknown.status == 200)
            #expect(unknown.text.contains("Enter your password."))
        }
    }

    @Test func aFormWithoutTheCSRFTokenOrFromAnotherOriginIsRefused() throws {
        try withRig { rig in
            try addUser(rig)
            _ = try rig.browser.get("\(rig.origin)/login")
            let noToken = try rig.browser.postForm(
                "\(rig.origin)/login", [("identifier", "carol"), ("password", "correct horse")], headers: [("Origin", rig.origin)]
            )
            #expect(noToken.status == 403)
            #expect(noToken.text.contains("This form has expired"))
            let page = try rig.browser.get("\(rig.origin)/login")
            var form = try #require(HTMLForm.all(in: page.text).first { $0.action == "/login" })
            form.set("identifier", "carol")
            form.set("password", "correct horse")
            let foreign = try rig.browser.postForm("\(rig.origin)/login", form.fields, headers: [("Origin", "https://evil.example")])
            #expect(foreign.status == 403)
            #expect(try rig.me().status == 401)
        }
    }
}
