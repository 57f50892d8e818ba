import Foundation
import Gatehouse
import JOSE
import Store
import Testing
import TestSupport

/// Each provider profile end to end: the real server, a browser, and a double of that
/// provider's real surface (`ProviderDouble`), with its documented quirks (issue 14 section 3).
@Suite(.serialized) struct ProviderProfileTests {
    static let clientID = "gatehouse-client"

    /// A Gatehouse with one provider object (`"slug": "p"`, the double's client id and secret,
    /// and `members`), and the double.
    final class Rig {
        let double: ProviderDouble
        let gatehouse: RunningGatehouse
        let browser = BrowserClient()

        init(sections: String = "", _ members: (ProviderDouble) -> String) throws {
            double = try ProviderDouble()
            let provider = #"{"slug": "p", "name": "P", "client_id": "\#(ProviderProfileTests.clientID)", "client_secret": "s3cret", \#(members(double))}"#
            do {
                gatehouse = try RunningGatehouse(providers: "[\(provider)]", sections: sections)
            } catch {
                double.stop()
                throw error
            }
        }

        func stop() {
            gatehouse.stop()
            double.stop()
        }

        /// The browser's walk: Gatehouse, the provider (which consents at once), the callback.
        func signIn(on browser: BrowserClient? = nil) throws -> BrowserClient.Page {
            let browser = browser ?? self.browser
            let start = try browser.get("\(gatehouse.origin)/oidc/p/authorize")
            guard start.status == 302, let toProvider = start.location else {
                throw TestClient.Failure(description: "authorize answered \(start.status): \(start.text)")
            }
            let atProvider = try browser.get(toProvider)
            guard atProvider.status == 302, let callback = atProvider.location else {
                throw TestClient.Failure(description: "the provider answered \(atProvider.status)")
            }
            return try browser.get(callback)
        }

        /// The one identity row, as text columns.
        func identity() throws -> [String: String] {
            try gatehouse.database.read { connection in
                let row = try #require(try connection.queryOne(
                    "SELECT issuer, subject, coalesce(email, '') AS email, email_verified, coalesce(upstream_idp, '') AS upstream_idp FROM identities"
                ))
                return [
                    "issuer": try row.string("issuer"), "subject": try row.string("subject"), "email": try row.string("email"),
                    "email_verified": String(try row.int("email_verified")), "upstream_idp": try row.string("upstream_idp"),
                ]
            }
        }

        /// The double names its own origin as issuer and signs ID tokens for `subject` with
        /// `extra` claims beside the standard ones.
        func issue(subject: String, extra: [String: JOSE.JSONValue]) {
            let origin = double.origin
            double.state.withLock {
                $0.discovery["issuer"] = .string(origin)
                $0.claims = { nonce in
                    ProviderDouble.claims(issuer: origin, subject: subject, audience: ProviderProfileTests.clientID, nonce: nonce, extra: extra)
                }
            }
        }

        func count(_ table: String) throws -> Int {
            try gatehouse.database.read { try $0.queryOne("SELECT count(*) AS n FROM \(table)")?.int("n") ?? 0 }
        }
    }

    // MARK: - GitHub

    static func gitHubRig() throws -> Rig {
        try Rig { double in #""profile": "github", "base_url": "\#(double.origin)""# }
    }

    @Test("GitHub: the account id is the subject and the email is the primary verified one from /user/emails, never /user's public email")
    func gitHubIdentity() throws {
        let rig = try Self.gitHubRig()
        defer { rig.stop() }
        rig.double.state.withLock {
            $0.gitHubUser = .object(["id": .number("583231"), "login": .string("octocat"), "name": .string("The Octocat"), "email": .string("public@example.com")])
            $0.gitHubEmails = .array([
                .object(["email": .string("old@example.com"), "primary": .bool(false), "verified": .bool(true)]),
                .object(["email": .string("octo@example.com"), "primary": .bool(true), "verified": .bool(true)]),
            ])
        }
        let page = try rig.signIn()
        #expect(page.status == 303, "\(page.text)")
        let identity = try rig.identity()
        #expect(identity["issuer"] == rig.double.origin, "an Enterprise Server's identities live under its URL")
        #expect(identity["subject"] == "583231")
        #expect(identity["email"] == "octo@example.com")
        #expect(identity["email_verified"] == "1")
        #expect(rig.double.seen.contains { $0.hasPrefix("GET /api/v3/user/emails") })
        #expect(rig.double.state.withLock { $0.userAgents }.contains("Gatehouse"), "GitHub's API refuses requests without a User-Agent")
    }

    /// GitHub never says when its user signed in, so its sessions never meet the account page's
    /// rule for a recent sign-in. Review finding: "Sign in again" sent the person back through
    /// GitHub, to the same refusal; it leads to the sign-in page instead.
    @Test("GitHub: a session is never recent for linking, and Sign in again leads to the sign-in page")
    func gitHubSessionIsNeverRecent() throws {
        let rig = try Self.gitHubRig()
        defer { rig.stop() }
        rig.double.state.withLock {
            $0.gitHubUser = .object(["id": .number("583231"), "login": .string("octocat")])
            $0.gitHubEmails = .array([.object(["email": .string("octo@example.com"), "primary": .bool(true), "verified": .bool(true)])])
        }
        #expect(try rig.signIn().status == 303)
        let account = try rig.browser.get("\(rig.gatehouse.origin)/account")
        let form = try #require(HTMLForm.all(in: account.text).first { $0.action == "/account/link/p" }, "\(account.text)")
        let refused = try rig.browser.postForm("\(rig.gatehouse.origin)/account/link/p", form.fields, headers: [("Origin", rig.gatehouse.origin)])
        #expect(refused.status == 403, "\(refused.text)")
        #expect(refused.text.contains(#"class="button" href="/login?next=%2Faccount""#), "\(refused.text)")
    }

    @Test("GitHub: an unverified primary email stays unverified, and without an email list there is no email at all")
    func gitHubUnverifiedEmail() throws {
        let rig = try Self.gitHubRig()
        defer { rig.stop() }
        rig.double.state.withLock {
            $0.gitHubUser = .object(["id": .number("7"), "login": .string("seven"), "email": .string("seven@example.com")])
            $0.gitHubEmails = .array([.object(["email": .string("seven@example.com"), "primary": .bool(true), "verified": .bool(false)])])
        }
        #expect(try rig.signIn().status == 303)
        #expect(try rig.identity()["email_verified"] == "0")

        let second = try Self.gitHubRig()
        defer { second.stop() }
        second.double.state.withLock {
            $0.gitHubUser = .object(["id": .number("8"), "login": .string("eight"), "email": .string("eight@example.com")])
            $0.gitHubEmails = .null  // the list could not be had (no user:email scope)
        }
        #expect(try second.signIn().status == 303)
        #expect(try second.identity()["email"] == "", "the profile's public email is never taken")
    }

    /// Review finding: `forward_auth.groups_claim` is read from every provider's claims, and a
    /// GitHub identity's claims (its login, its name) are its user's own text: naming one, for
    /// another provider's sake, let a GitHub user rename themselves into a required group.
    @Test("GitHub: no claim of a GitHub identity becomes a forward-auth group", arguments: ["preferred_username", "name"])
    func gitHubGrantsNoGroups(_ claim: String) throws {
        let rig = try Rig(sections: #", "forward_auth": {"groups_claim": "\#(claim)"}"#) { double in
            #""profile": "github", "base_url": "\#(double.origin)""#
        }
        defer { rig.stop() }
        rig.double.state.withLock {
            $0.gitHubUser = .object(["id": .number("9"), "login": .string("staff"), "name": .string("staff")])
            $0.gitHubEmails = .array([])
        }
        #expect(try rig.signIn().status == 303)
        let groups = try rig.gatehouse.database.read { try $0.queryOne("SELECT groups FROM sessions")?.optionalString(at: 0) }
        #expect(groups == nil || groups == "", "stored groups: \(groups ?? "none")")
    }

    @Test("GitHub: an API that will not say who signed in fails the sign-in with its own reason")
    func gitHubWithoutAccount() throws {
        let rig = try Self.gitHubRig()
        defer { rig.stop() }
        rig.double.state.withLock { $0.gitHubUser = .object(["login": .string("no-id")]) }
        let page = try rig.signIn()
        #expect(page.status == 502)
        #expect(try rig.count("sessions") == 0)
        let detail = try rig.gatehouse.database.read { try $0.queryOne("SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1")?.string("detail") }
        #expect(detail?.contains("reason=account_unavailable") == true)
    }

    // MARK: - Entra ID

    static func entraRig(allowed: [String] = ["tenant-a"]) throws -> Rig {
        let rig = try Rig { double in
            let tenants = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            return #""profile": "entra", "tenant": "organizations", "authority": "\#(double.origin)", "allowed_tenants": [\#(tenants)], "subject_rule": "oid_tid""#
        }
        rig.double.state.withLock { $0.discovery["issuer"] = .string(rig.double.origin + "/{tenantid}/v2.0") }
        return rig
    }

    /// An Entra token from `tenant` whose `iss` names `issuerTenant`, with `sid` when given.
    static func entraClaims(_ rig: Rig, tenant: String, issuerTenant: String? = nil, sid: String? = nil) {
        let origin = rig.double.origin
        var extra: [String: JOSE.JSONValue] = ["tid": .string(tenant), "oid": .string("object-1"), "email": .string("ada@tenant-a.example")]
        if let sid { extra["sid"] = .string(sid) }
        rig.double.state.withLock { [extra] in
            $0.claims = { nonce in
                ProviderDouble.claims(
                    issuer: "\(origin)/\(issuerTenant ?? tenant)/v2.0", subject: "pairwise-sub", audience: ProviderProfileTests.clientID, nonce: nonce,
                    extra: extra
                )
            }
        }
    }

    @Test("Entra ID multi-tenant: an allowed tenant signs in under its own issuer, keyed by tenant and object id")
    func entraAllowedTenant() throws {
        let rig = try Self.entraRig()
        defer { rig.stop() }
        Self.entraClaims(rig, tenant: "tenant-a")
        let page = try rig.signIn()
        #expect(page.status == 303, "\(page.text)")
        let identity = try rig.identity()
        #expect(identity["issuer"] == rig.double.origin + "/tenant-a/v2.0")
        #expect(identity["subject"] == "tenant-a/object-1")
        #expect(rig.double.seen.contains("GET /organizations/v2.0/.well-known/openid-configuration"))
    }

    /// Review finding: an operator's link stored the issuer template, which no sign-in carries:
    /// a pending link was never filled (a second account was made instead), and one with a
    /// subject refused its person as an issuer change. Such links are refused, saying why.
    @Test("Entra ID multi-tenant: an operator cannot link an identity under the issuer template")
    func entraOperatorLink() throws {
        let rig = try Self.entraRig()
        defer { rig.stop() }
        let administration = rig.gatehouse.app.administration
        for identity in [NewIdentity(provider: "p"), NewIdentity(provider: "p", subject: "tenant-a/object-1")] {
            #expect(throws: AdministrationError.invalid([.init("identities/0/provider", Administration.multiTenantLinkRefusal)])) {
                try administration.createUser(NewUser(username: "ada", identities: [identity]), by: .commandLine)
            }
        }
        let user = try administration.createUser(NewUser(username: "ada"), by: .commandLine)
        #expect(throws: AdministrationError.self) {
            try administration.linkIdentity(NewIdentity(provider: "p"), to: user.user.id, by: .commandLine)
        }
        #expect(try rig.count("identities") == 0)
    }

    @Test("Entra ID multi-tenant: a tenant not on the list is refused, however well its token is signed")
    func entraOtherTenant() throws {
        let rig = try Self.entraRig()
        defer { rig.stop() }
        Self.entraClaims(rig, tenant: "tenant-b")
        #expect(try rig.signIn().status == 400)
        #expect(try rig.count("sessions") == 0)
    }

    @Test("Entra ID multi-tenant: an iss naming another tenant than tid is refused")
    func entraIssuerOfAnotherTenant() throws {
        let rig = try Self.entraRig(allowed: ["tenant-a", "tenant-b"])
        defer { rig.stop() }
        Self.entraClaims(rig, tenant: "tenant-a", issuerTenant: "tenant-b")
        #expect(try rig.signIn().status == 400)
        #expect(try rig.count("identities") == 0)
    }

    @Test("Entra ID multi-tenant with no tenant allowed: every sign-in is refused")
    func entraNoTenantAllowed() throws {
        let rig = try Self.entraRig(allowed: [])
        defer { rig.stop() }
        Self.entraClaims(rig, tenant: "tenant-a")
        #expect(try rig.signIn().status == 400)
    }

    /// Review finding: a logout token was held to the issuer template, which no token carries,
    /// so every multi-tenant logout was refused; and its `sub` (pairwise per application) was
    /// matched against `<tid>/<oid>` subjects, so a token with both `sub` and `sid` named nothing
    /// and was answered 200 while the session lived on. Each tenant's token now ends the session
    /// its `sid` names, and only that tenant's.
    @Test("Entra ID multi-tenant: a tenant's logout token ends the session its sid names, of that tenant only, whatever its pairwise sub")
    func entraBackChannelLogout() throws {
        let rig = try Self.entraRig(allowed: ["tenant-a", "tenant-b"])
        defer { rig.stop() }
        Self.entraClaims(rig, tenant: "tenant-a", sid: "same-sid")
        #expect(try rig.signIn().status == 303)
        Self.entraClaims(rig, tenant: "tenant-b", sid: "same-sid")
        #expect(try rig.signIn(on: BrowserClient()).status == 303)

        func logout(tenant: String) throws -> Int {
            try Self.entraLogout(rig, tenant: tenant, sid: "same-sid", jti: "jti-\(tenant)")
        }
        func revokedTenants() throws -> [String] {
            try rig.gatehouse.database.read { connection in
                try connection.query(
                    "SELECT identities.issuer FROM sessions JOIN identities ON identities.id = sessions.identity_id WHERE sessions.revoked_at IS NOT NULL ORDER BY 1"
                ).map { try $0.string(at: 0) }
            }
        }
        #expect(try logout(tenant: "tenant-c") == 400, "a tenant not on the list")
        #expect(try revokedTenants().isEmpty)
        #expect(try logout(tenant: "tenant-b") == 200)
        #expect(try revokedTenants() == [rig.double.origin + "/tenant-b/v2.0"], "the same sid at another tenant is another session")
        #expect(try logout(tenant: "tenant-a") == 200)
        #expect(try revokedTenants().count == 2)
    }

    /// Posts a logout token signed by the double, from `tenant`, naming the pairwise `sub` of
    /// `entraClaims` and `sid`; returns the status.
    static func entraLogout(_ rig: Rig, tenant: String, sid: String, jti: String, issuedAt: Int64? = nil) throws -> Int {
        let claims: [String: JOSE.JSONValue] = [
            "iss": .string("\(rig.double.origin)/\(tenant)/v2.0"), "aud": .string(clientID),
            "iat": .number(String(issuedAt ?? Int64(Date().timeIntervalSince1970))), "jti": .string(jti),
            "events": .object(["http://schemas.openid.net/event/backchannel-logout": .object([:])]),
            "sub": .string("pairwise-sub"), "sid": .string(sid), "tid": .string(tenant),
        ]
        let token = try rig.double.key.sign(payload: try JOSE.JSONValue.object(claims).serialized(), type: "logout+jwt")
        return try BrowserClient().postForm("\(rig.gatehouse.origin)/oidc/p/backchannel-logout", [("logout_token", token)]).status
    }

    /// Review finding (second round): under `oid_tid` the replay record kept no `sub` for a
    /// token, so one person's scripted sign-outs were held to no share of the issuer's record;
    /// and a sign-in racing the logout was looked up by `<tid>/<oid>`, which no token names.
    /// The record keeps the token's own `sub`, and the sign-in is looked up by its ID token's.
    @Test("Entra ID oid_tid: a logout that arrives before the sign-in it ends still ends it, and the record keeps the person's sub")
    func entraLogoutBeforeItsSession() throws {
        let rig = try Self.entraRig()
        defer { rig.stop() }
        Self.entraClaims(rig, tenant: "tenant-a", sid: "early-sid")
        let start = try rig.browser.get("\(rig.gatehouse.origin)/oidc/p/authorize")
        let atProvider = try rig.browser.get(try #require(start.location))
        let callback = try #require(atProvider.location)
        // Its iat is ahead (within the clock skew), so it is no older than the ID token the
        // callback is about to be given, whatever second that happens in.
        #expect(try Self.entraLogout(rig, tenant: "tenant-a", sid: "early-sid", jti: "early", issuedAt: Int64(Date().timeIntervalSince1970) + 30) == 200)
        let refused = try rig.browser.get(callback)
        #expect(refused.status == 403 && refused.text.contains("You were signed out at the provider"), "\(refused.status) \(refused.text)")
        #expect(try rig.count("users") == 0)
        let kept = try rig.gatehouse.database.read { try $0.queryOne("SELECT count(*) FROM logout_tokens_seen WHERE subject_hash IS NOT NULL")?.int64(at: 0) }
        #expect(kept == 1)
    }

    // MARK: - Google

    static func googleRig(hd: JOSE.JSONValue?, email: String) throws -> Rig {
        let rig = try Rig { double in #""profile": "google", "issuer": "\#(double.origin)", "hosted_domains": ["corp.example"]"# }
        var extra: [String: JOSE.JSONValue] = ["email": .string(email), "email_verified": .bool(true)]
        extra["hd"] = hd
        rig.issue(subject: "g-1", extra: extra)
        return rig
    }

    @Test("Google: a Workspace account of the hosted domain signs in, and the authorization request names the domain")
    func googleHostedDomain() throws {
        let rig = try Self.googleRig(hd: .string("corp.example"), email: "ada@corp.example")
        defer { rig.stop() }
        #expect(try rig.signIn().status == 303)
        #expect(rig.double.seen.contains { $0.hasPrefix("GET /authorize?") && $0.contains("hd=corp.example") })
    }

    @Test("Google: hd is the rule, not the email's domain: a personal account with a corp address is refused", arguments: [
        (JOSE.JSONValue?.none, "ada@corp.example"), (JOSE.JSONValue.string("other.example"), "ada@corp.example"),
    ])
    func googleOtherDomain(_ hd: JOSE.JSONValue?, _ email: String) throws {
        let rig = try Self.googleRig(hd: hd, email: email)
        defer { rig.stop() }
        #expect(try rig.signIn().status == 400)
        #expect(try rig.count("identities") == 0)
    }

    // MARK: - Cognito

    @Test("Cognito: email_verified arrives as the string \"true\"; the profile reads it, plain OIDC does not")
    func cognitoStringVerified() throws {
        for (profile, expected) in [(#""profile": "cognito", "#, "1"), ("", "0")] {
            let rig = try Rig { double in #"\#(profile)"issuer": "\#(double.origin)""# }
            defer { rig.stop() }
            rig.issue(subject: "c-1", extra: ["email": .string("ada@example.com"), "email_verified": .string("true")])
            #expect(try rig.signIn().status == 303)
            #expect(try rig.identity()["email_verified"] == expected, "profile: \(profile)")
        }
    }

    // MARK: - CILogon

    @Test("CILogon: the upstream idp is recorded on the identity and shown on the account page")
    func cilogonUpstream() throws {
        let rig = try Rig { double in #""profile": "cilogon", "issuer": "\#(double.origin)""# }
        defer { rig.stop() }
        rig.issue(
            subject: "http://cilogon.org/serverA/users/42",
            extra: ["idp": .string("https://idp.university.example/idp/shibboleth"), "email": .string("ada@university.example")]
        )
        #expect(try rig.signIn().status == 303)
        #expect(try rig.identity()["upstream_idp"] == "https://idp.university.example/idp/shibboleth")
        let account = try rig.browser.get("\(rig.gatehouse.origin)/account")
        #expect(account.text.contains("through https://idp.university.example/idp/shibboleth"))
    }
}
