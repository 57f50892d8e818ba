import Foundation
import HTTP
import Logging
import Templates
import Testing
@testable import Gatehouse

/// The page contexts against the shipped templates, without a server: variants the default
/// configuration does not show, the server-fault page, and a broken template stopping the start.
@Suite struct PageRenderingTests {
    let pages: PageRenderer

    init() throws {
        pages = try PageRenderer(publicDirectory: packageRoot + "/Public")
    }

    private func loginHTML(_ login: LoginConfig = LoginConfig(), identifierError: String = "", passwordError: String = "") throws -> String {
        let context = LoginPageContext(
            login: login, identifier: "", identifierError: identifierError, passwordError: passwordError,
            csrfToken: "token", next: "/", providers: []
        )
        return String(decoding: try pages.page(context).body, as: UTF8.self)
    }

    @Test func withoutLocalPasswordsThereIsNoPasswordField() throws {
        let html = try loginHTML(LoginConfig(localPasswords: false, identifierFields: [.email]))
        #expect(!html.contains("type=\"password\""))
        #expect(html.contains(#"<label for="identifier">Email</label>"#))
        #expect(html.contains(#"autocomplete="email""#))
        #expect(html.contains(">Continue</button>"))
        #expect(!html.contains("class=\"divider\""), "no providers, no 'or'")
    }

    @Test func fieldErrorsAreTiedToTheirFields() throws {
        let html = try loginHTML(identifierError: "Check <this>", passwordError: "Wrong & try again")
        #expect(html.contains(#"aria-invalid="true" aria-describedby="identifier-error">"#))
        #expect(html.contains(#"<p class="field-error" id="identifier-error">Check &lt;this&gt;</p>"#))
        #expect(html.contains(#"aria-invalid="true" aria-describedby="password-error">"#))
        #expect(html.contains(#"<p class="field-error" id="password-error">Wrong &amp; try again</p>"#))
        let clean = try loginHTML()
        #expect(!clean.contains("aria-describedby"), "no error, no description")
        #expect(!clean.contains("field-error"))
    }

    @Test func aSignInFailureIsTheErrorTemplateWithItsReference() throws {
        let response = SignInFailure.flowReplayed.page(requestID: "req-<1>", pages: pages)
        let html = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == .badRequest)
        #expect(html.contains("<h1>This sign-in link was already used</h1>"))
        #expect(html.contains(#"<p class="reference">Reference: req-&lt;1&gt;</p>"#))
        #expect(html.contains("<title>This sign-in link was already used · Gatehouse</title>"))
    }

    struct Boom: Error {}

    @Test func anUnexpectedErrorIsTheServerFaultPageForABrowserAndProblemJSONForTheAPI() throws {
        let router = Router { routes in
            routes.get("/boom") { _ in throw Boom() }
            routes.get("/api/boom") { _ in throw Boom() }
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let responder = AppResponder(router: router, pages: pages, logger: logger)
        var request = Request(method: "GET", target: "/boom")
        request.requestID = "r-42"
        let page = responder.respond(to: request)
        #expect(page.status == .internalServerError)
        #expect(page.routePattern == "/boom", "metrics still see the route")
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("<h1>Something went wrong on our side</h1>"))
        #expect(html.contains(#"<p class="reference">Reference: r-42</p>"#))

        var api = Request(method: "GET", target: "/api/boom")
        api.requestID = "r-43"
        let problem = responder.respond(to: api)
        #expect(problem.status == .internalServerError)
        #expect(problem.headers["Content-Type"] == "application/problem+json")
    }

    @Test func aTypoInAShippedTemplateStopsTheStartWithItsFileAndLine() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let templates = directory.appendingPathComponent("templates")
        try FileManager.default.copyItem(atPath: packageRoot + "/Public/templates", toPath: templates.path)
        let login = templates.appendingPathComponent("login.html")
        let text = try String(contentsOf: login, encoding: .utf8)
        try text.replacingOccurrences(of: "{{csrf_token}}", with: "{{csrf_tokn}}").write(to: login, atomically: true, encoding: .utf8)
        let error = try #require(throws: TemplateError.self) { try PageRenderer(publicDirectory: directory.path) }
        #expect(error.code == .unknownName)
        #expect(error.file == "login.html")
        #expect(error.line == 5)
    }

    @Test func theAppDoesNotStartWithoutItsTemplates() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try migratedDatabase(in: directory)
        defer { database.close() }
        var config = try testConfig(databasePath: database.path)
        config.server.publicDirectory = directory.path
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        do {
            _ = try GatehouseApp(config: config, database: database, logger: logger)
            Issue.record("the app started without templates")
        } catch {
            guard case .templates(let cause) = error else {
                Issue.record("expected a template error, got \(error)")
                return
            }
            #expect(cause.code == .unreadableDirectory)
        }
    }
}
