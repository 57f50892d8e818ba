import Crypto
import Foundation
import Gatehouse
import Store
import Testing
import TestSupport

/// Issue 13 section 2: the admin API answers only to scoped API tokens, over the real server.
@Suite(.serialized) struct AdminAPIAuthenticationTests {
    /// Every operation of the document, as a request that names real things (user 1, provider
    /// `dev`), with a body where it takes one.
    private func operations(_ api: AdminAPIRig) throws -> [(method: String, path: String, scope: String, body: String?)] {
        let document = try api.call("GET", "/api/v1/openapi.json", token: nil).json
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var operations: [(String, String, String, String?)] = []
        for (template, item) in paths where template.hasPrefix("/api/v1/admin/") {
            for (method, spec) in item {
                let path = template.replacingOccurrences(of: "{provider}", with: "dev")
                    .replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "1", options: .regularExpression)
                let scope = try #require(spec["x-required-scope"] as? String)
                operations.append((method.uppercased(), path, scope, spec["requestBody"] == nil ? nil : "{}"))
            }
        }
        #expect(operations.count >= 25)
        return operations
    }

    @Test func everyOperationRefusesARequestWithoutAToken() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        for operation in try operations(api) {
            let answer = try api.call(operation.method, operation.path, token: nil, json: operation.body)
            #expect(answer.status == 401, "\(operation.method) \(operation.path)")
            #expect(answer.header("Content-Type") == "application/problem+json")
            #expect(answer.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(answer.json["type"] as? String == "urn:gatehouse:problem:unauthorized")
        }
        #expect(try api.count("users") == 0, "nothing was done")
    }

    /// Each operation names its scope; a token with every other scope but `admin` is refused
    /// with 403 naming it, and a token with exactly that scope gets past authorization.
    @Test func everyOperationNeedsItsScope() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        _ = try api.administration.createUser(NewUser(username: "someone"), by: .commandLine)
        let narrow = APIScope.allCases.filter { $0 != .admin }
        for operation in try operations(api) {
            let needed = try #require(APIScope(rawValue: operation.scope))
            let others = narrow.filter { $0 != needed }
            let refused = try api.call(operation.method, operation.path, token: try api.token(others), json: operation.body)
            #expect(refused.status == 403, "\(operation.method) \(operation.path)")
            #expect(refused.code == "insufficient_scope" && refused.json["required_scope"] as? String == operation.scope)
            let allowed = try api.call(operation.method, operation.path, token: try api.token([needed]), json: operation.body)
            #expect(![401, 403].contains(allowed.status), "\(operation.method) \(operation.path) with \(needed): \(allowed.status)")
        }
    }

    /// A person signed in to Gatehouse carries a session cookie; a page on another site could
    /// make their browser send it. It is never a credential for the admin API.
    @Test func aSessionCookieIsNotACredential() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        #expect(try api.rig.signIn().status == 303)
        #expect(try api.rig.me().status == 200, "the session works where sessions count")
        let answer = try api.rig.browser.get("\(api.origin)/api/v1/admin/users")
        #expect(answer.status == 401)
    }

    @Test func aCORSPreflightIsNeverGranted() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let token = try api.token([.admin])
        let preflight = try api.call("OPTIONS", "/api/v1/admin/users", token: nil, headers: [
            ("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, content-type"),
        ])
        #expect(preflight.status == 405)
        let simple = try api.call("GET", "/api/v1/admin/users", token: token, headers: [("Origin", "https://evil.example")])
        #expect(simple.status == 200)
        for answer in [preflight, simple] {
            for (name, _) in answer.page.response.headers {
                #expect(!name.lowercased().hasPrefix("access-control-"), "\(name)")
            }
        }
    }

    @Test func wrongRevokedAndExpiredTokensAreRefused() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let live = try api.token([.usersRead])
        #expect(try api.call("GET", "/api/v1/admin/users", token: live).status == 200)
        // The same id with another secret: one character changed, to a different one by construction.
        let last = live.last!
        let forged = String(live.dropLast()) + (last == "A" ? "B" : "A")
        #expect(try api.call("GET", "/api/v1/admin/users", token: forged).status == 401)
        #expect(try api.call("GET", "/api/v1/admin/users", token: "Basic \(live)").status == 401)
        // The id written another way ("01" for "1") is not the token's.
        let padded = live.replacingOccurrences(of: "gha_", with: "gha_0")
        #expect(padded != live)
        #expect(try api.call("GET", "/api/v1/admin/users", token: padded).status == 401)

        let expiring = try api.administration.createToken(NewToken(name: "short", scopes: ["users:read"], expiresIn: 60), by: .commandLine)
        #expect(try api.call("GET", "/api/v1/admin/users", token: expiring.secret).status == 200)
        api.rig.clock.advance(by: 60)
        #expect(try api.call("GET", "/api/v1/admin/users", token: expiring.secret).status == 401, "the expiry instant is past")

        let admin = try api.token([.admin])
        let revoked = try api.administration.createToken(NewToken(name: "doomed", scopes: ["users:read"]), by: .commandLine)
        #expect(try api.call("DELETE", "/api/v1/admin/tokens/\(revoked.token.id)", token: admin).status == 204)
        #expect(try api.call("GET", "/api/v1/admin/users", token: revoked.secret).status == 401, "refused from its next request on")
        #expect(try api.audit(.tokenRevoked).last?.actor?.hasPrefix("token:") == true)
    }

    /// Failures are written to the audit log and counted per address; past five, the answer
    /// says when to come back and the log gets one entry per escalation, not one per request.
    /// A valid token from the same address still works.
    @Test func failuresAreAuditedAndThrottledPerAddress() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let valid = try api.token([.usersRead])
        let wrong = "gha_999_" + String(repeating: "x", count: 43)
        for attempt in 1...5 {
            let answer = try api.call("GET", "/api/v1/admin/users", token: wrong)
            #expect(answer.status == 401 && answer.header("Retry-After") == nil, "attempt \(attempt)")
        }
        #expect(try api.audit(.apiAuthenticationFailed).count == 5)
        let sixth = try api.call("GET", "/api/v1/admin/users", token: wrong)
        #expect(sixth.status == 401 && sixth.header("Retry-After") == "1")
        #expect(try api.audit(.apiAuthenticationRateLimited).count == 1)
        for _ in 1...20 {
            let throttled = try api.call("GET", "/api/v1/admin/users", token: wrong)
            #expect(throttled.status == 401 && throttled.header("Retry-After") != nil)
        }
        #expect(try api.audit(.apiAuthenticationFailed).count == 6, "throttled failures are not written one by one")
        #expect(try api.call("GET", "/api/v1/admin/users", token: valid).status == 200)
        #expect(try api.audit(.apiAuthenticationFailed).allSatisfy { !$0.detail.contains("xxxx") }, "no token in the log")
    }

    /// Only the SHA-256 of a token's secret is stored: the database file holds no usable token.
    @Test func onlyTheSecretsDigestIsStored() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let created = try api.administration.createToken(NewToken(name: "ops", scopes: ["admin"]), by: .commandLine)
        let secret = String(created.secret.split(separator: "_", maxSplits: 2)[2])
        #expect(created.secret.hasPrefix("gha_\(created.token.id)_") && secret.count == 43)
        let stored = try api.database.read { try $0.queryOne("SELECT secret_hash FROM api_tokens")?.blob(at: 0) }
        #expect(stored == Digest.sha256(Array(secret.utf8)))
        try api.database.writeWithoutTransaction { try $0.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        let file = try Data(contentsOf: URL(fileURLWithPath: api.database.path))
        #expect(file.range(of: Data(secret.utf8)) == nil)
        #expect(try api.call("GET", "/api/v1/admin/tokens", token: created.secret).text.contains(secret) == false)
    }
}
