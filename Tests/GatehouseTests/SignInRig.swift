import DevProvider
import Foundation
import Gatehouse
import Logging
import Store
import Synchronization
import TestSupport

/// A clock both servers read, so a test can move time (expiry, refetch intervals) at once.
final class TestClock: Sendable {
    private let seconds: Mutex<Int64>

    init(_ start: Int64 = Int64(Date().timeIntervalSince1970)) {
        seconds = Mutex(start)
    }

    var now: Int64 { seconds.withLock { $0 } }

    func advance(by delta: Int64) {
        seconds.withLock { $0 += delta }
    }

    var function: @Sendable () -> Int64 { { [self] in now } }
}

/// A Gatehouse and the development provider, configured for each other on loopback, and a
/// browser to walk sign-ins through both of them as a person would.
final class SignInRig {
    let clock: TestClock
    let provider: DevProvider
    let gatehouse: RunningGatehouse
    let browser = BrowserClient()

    /// `providerJSON` adds members to the `dev` provider object (`"response_mode": "form_post"`, ...).
    /// `alsoAs` configures the same development provider again under more slugs (a second
    /// "provider" to link from the account page), each with the same extra members.
    /// `providerJSONBySlug` adds members to one provider object only (a policy of its own).
    /// `clientCredentialsJSON` replaces the `client_secret` member (a `client_assertion_key`).
    /// `gatehouseExtra` adds top-level sections to Gatehouse's configuration (`, "login": {...}`),
    /// `serverExtra` members to its `server` object (`, "trusted_proxies": [...]`), and
    /// `databaseExtra` members to its `database` object.
    init(
        providerJSON: String = "", gatehouseClientSecret: String? = nil, clock: TestClock = TestClock(), alsoAs: [String] = [],
        providerJSONBySlug: [String: String] = [:], gatehouseExtra: String = "", serverExtra: String = "", databaseExtra: String = "",
        clientCredentialsJSON: String? = nil,
        configureProvider: (inout DevProviderOptions) -> Void = { _ in }
    ) throws {
        self.clock = clock
        let gatehousePort = try ExternalServer.freePort()
        var options = DevProviderOptions()
        options.port = 0
        options.redirectURIs = (["dev"] + alsoAs).map { "http://127.0.0.1:\(gatehousePort)/oidc/\($0)/callback" }
        configureProvider(&options)
        var logger = Logger(label: "dev-idp-test")
        logger.logLevel = .critical
        provider = try DevProvider(options: options, logger: logger, clock: clock.function)
        try provider.start()
        let issuer = provider.issuer
        let objects = (["dev"] + alsoAs).map { slug in
            let own = providerJSONBySlug[slug].map { ", " + $0 } ?? ""
            let credentials = clientCredentialsJSON ?? "\"client_secret\": \"\(gatehouseClientSecret ?? options.clientSecret)\""
            return """
            {"slug": "\(slug)", "name": "\(slug == "dev" ? "Development" : slug)", "issuer": "\(issuer)",
             "client_id": "\(options.clientID)", \(credentials)\(providerJSON.isEmpty ? "" : ", " + providerJSON)\(own)}
            """
        }
        let providers = "[" + objects.joined(separator: ", ") + "]"
        do {
            gatehouse = try RunningGatehouse(
                port: gatehousePort, providers: providers, serverExtra: serverExtra, sections: gatehouseExtra, databaseExtra: databaseExtra,
                clock: clock.function
            )
        } catch {
            provider.shutdown()
            throw error
        }
    }

    func stop() {
        gatehouse.stop()
        provider.shutdown()
    }

    var origin: String { gatehouse.origin }

    struct Person {
        var subject = "alice-subject"
        var email = "alice@example.com"
        var emailVerified = true
        var name = "Alice Example"
        var preferredUsername = "alice"
        var fault = "none"
    }

    /// Steps 1–3: starts at Gatehouse, fills in the provider's form, and returns the callback
    /// URL the provider sent the browser to (not yet followed).
    func authorizeAtProvider(_ person: Person = Person(), next: String = "/", browser: BrowserClient? = nil) throws -> String {
        try Self.authorizeAtProvider(person, next: next, gatehouseOrigin: origin, browser: browser ?? self.browser)
    }

    /// Steps 1–3 against any origin Gatehouse answers on: its own, or a reverse proxy's in
    /// front of it (the nginx and Caddy forward-auth tests).
    static func authorizeAtProvider(_ person: Person, next: String, gatehouseOrigin: String, browser: BrowserClient) throws -> String {
        let start = try browser.get("\(gatehouseOrigin)/oidc/dev/authorize?next=\(BrowserClient.formEncode([("", next)]).dropFirst())")
        guard start.status == 302, let toProvider = start.location else {
            throw TestClient.Failure(description: "authorize answered \(start.status): \(start.text)")
        }
        return try answerAtProvider(toProvider, person, browser: browser)
    }

    /// Fills in the provider's page the browser was sent to and returns the callback URL the
    /// provider sends it back to (not yet followed).
    func answerAtProvider(_ toProvider: String, _ person: Person = Person(), browser: BrowserClient? = nil) throws -> String {
        try Self.answerAtProvider(toProvider, person, browser: browser ?? self.browser)
    }

    static func answerAtProvider(_ toProvider: String, _ person: Person, browser: BrowserClient) throws -> String {
        let page = try browser.get(toProvider)
        guard page.status == 200, var form = HTMLForm.all(in: page.text).first(where: { $0.method == "POST" }) else {
            throw TestClient.Failure(description: "the provider's page answered \(page.status): \(page.text)")
        }
        form.set("subject", person.subject)
        form.set("email", person.email)
        form.fields.removeAll { $0.0 == "email_verified" }
        if person.emailVerified { form.set("email_verified", "true") }
        form.set("name", person.name)
        form.set("preferred_username", person.preferredUsername)
        form.set("fault", person.fault)
        let answer = try browser.postForm(BrowserClient.resolve(form.action, against: toProvider), form.fields)
        guard let callback = answer.location else {
            throw TestClient.Failure(description: "the provider answered \(answer.status): \(answer.text)")
        }
        return callback
    }

    /// The whole sign-in; returns Gatehouse's answer to the callback.
    func signIn(_ person: Person = Person(), next: String = "/", provider slug: String = "dev") throws -> BrowserClient.Page {
        guard slug != "dev" else { return try browser.get(try authorizeAtProvider(person, next: next)) }
        let start = try browser.get("\(origin)/oidc/\(slug)/authorize")
        guard start.status == 302, let toProvider = start.location else {
            throw TestClient.Failure(description: "authorize answered \(start.status): \(start.text)")
        }
        return try browser.get(try answerAtProvider(toProvider, person))
    }

    /// `/api/v1/me` as the browser sees it.
    func me() throws -> BrowserClient.Page {
        try browser.get("\(origin)/api/v1/me")
    }

    func count(_ table: String, where condition: String = "1") throws -> Int {
        try gatehouse.database.read { connection in
            try connection.queryOne("SELECT count(*) AS n FROM \(table) WHERE \(condition)")?.int("n") ?? 0
        }
    }

    func auditEvents() throws -> [(event: String, detail: String)] {
        try gatehouse.database.read { connection in
            try connection.query("SELECT event, detail FROM audit_log ORDER BY id").map { row in
                (try row.string("event"), try row.optionalString("detail") ?? "")
            }
        }
    }
}
