import Foundation
import HTTP
import Testing
import TestSupport
@testable import Gatehouse

/// `GET /login` and the designed error pages, over real sockets against the real templates.
@Suite struct LoginPageTests {
    /// Three providers whose names sort differently from their file order; `zeta` is promoted.
    static let providers = """
        [{"slug": "beta", "name": "Beta", "issuer": "https://beta.example.com", "client_id": "c", "client_secret": "s"},
         {"slug": "zeta", "name": "Zeta", "issuer": "https://zeta.example.com", "client_id": "c", "client_secret": "s",
          "promoted": true, "icon": "/static/icons/zeta.svg"},
         {"slug": "alpha", "name": "alpha", "issuer": "https://alpha.example.com", "client_id": "c", "client_secret": "s"}]
        """

    private func withGatehouse(providers: String = providers, _ body: (RunningGatehouse, BrowserClient) throws -> Void) throws {
        let gatehouse = try RunningGatehouse(providers: providers)
        defer { gatehouse.stop() }
        try body(gatehouse, BrowserClient())
    }

    /// Every `href` of a provider button, in page order.
    private func providerLinks(_ html: String) -> [String] {
        html.components(separatedBy: "class=\"button provider").dropFirst().compactMap { chunk in
            guard let start = chunk.range(of: "href=\"") else { return nil }
            return String(chunk[start.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func theIdentificationFormHasItsFieldsAndTheSessionsCSRFToken() throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)/login")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Cache-Control") == "no-store")
            let html = page.text
            #expect(html.contains(#"<label for="identifier">Username or email</label>"#))
            #expect(html.contains(#"<input id="identifier" name="identifier" type="text" value="""#))
            #expect(html.contains(#"<label for="password">Password</label>"#), "local passwords are on by default")
            #expect(html.contains(#"autocomplete="current-password""#))
            #expect(html.contains(#"<meta name="viewport""#))

            let form = try #require(HTMLForm.all(in: html).first)
            #expect(form.method == "POST")
            #expect(form.action == "/login")
            let cookie = try #require(browser.cookie(named: "gatehouse_session"), "a visitor gets an anonymous session for the token")
            let token = try #require(SessionToken(cookieValue: cookie.value))
            #expect(form.fields.first { $0.0 == "csrf_token" }?.1 == CSRFProtection.token(for: token))
            #expect(form.fields.first { $0.0 == "next" }?.1 == "/")

            let again = try browser.get("\(gatehouse.origin)/login")
            #expect(again.header("Set-Cookie") == nil, "an existing session is reused, not replaced")
            #expect(HTMLForm.all(in: again.text).first?.fields.first { $0.0 == "csrf_token" }?.1 == CSRFProtection.token(for: token))
        }
    }

    @Test func loginHintPrefillsTheFieldEscaped() throws {
        try withGatehouse { gatehouse, browser in
            let hint = #""><script>alert('x')</script>"#
            let page = try browser.get("\(gatehouse.origin)/login?login_hint=\(BrowserClient.formEncode([("", hint)]).dropFirst())")
            #expect(page.status == 200)
            #expect(page.text.contains(#"value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;""#))
            #expect(!page.text.contains("<script"))
            let plain = try browser.get("\(gatehouse.origin)/login?login_hint=alice%40example.com")
            #expect(plain.text.contains(#"value="alice@example.com""#))
        }
    }

    @Test func providerButtonsArePromotedFirstThenByNameAndCarryNext() throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)/login?next=%2Faccount%3Ftab%3D2")
            #expect(providerLinks(page.text) == [
                "/oidc/zeta/authorize?next=%2Faccount%3Ftab%3D2",  // promoted
                "/oidc/alpha/authorize?next=%2Faccount%3Ftab%3D2",  // sorted by name, case-insensitively
                "/oidc/beta/authorize?next=%2Faccount%3Ftab%3D2",
            ])
            #expect(page.text.contains(#"<img class="provider-icon" src="/static/icons/zeta.svg" alt="""#))
            #expect(page.text.contains("Continue with Zeta"))
            #expect(HTMLForm.all(in: page.text).first?.fields.first { $0.0 == "next" }?.1 == "/account?tab=2")
        }
    }

    @Test(arguments: [
        ("//evil.example/", "a scheme-relative URL would leave our origin"),
        ("https://evil.example/", "an absolute URL would leave our origin"),
        ("/\\evil.example", "browsers read a backslash as a slash"),
        ("/%2F%2Fevil.example", "an encoded slash decodes to another host"),
    ])
    func aHostileNextIsReplacedByTheRoot(next: String, reason: String) throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)/login?next=\(BrowserClient.formEncode([("", next)]).dropFirst())")
            #expect(page.status == 200)
            #expect(HTMLForm.all(in: page.text).first?.fields.first { $0.0 == "next" }?.1 == "/", "\(reason)")
            #expect(providerLinks(page.text).allSatisfy { $0.hasSuffix("?next=%2F") }, "\(reason)")
            #expect(!page.text.contains("evil.example"), "\(reason)")
        }
    }

    @Test(arguments: ["/login", "/", "/no-such-page"])
    func pagesCarryTheCSPAndNoInlineScriptOrStyle(path: String) throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)\(path)", headers: [("Accept", "text/html")])
            let csp = try #require(page.header("Content-Security-Policy"), "\(path)")
            #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"))
            let html = page.text.lowercased()
            #expect(!html.contains("<script"), "\(path)")
            #expect(!html.contains("<style"), "\(path)")
            #expect(!html.contains("style="), "\(path)")
            #expect(html.contains(#"<link rel="stylesheet" href="/static/app.css">"#), "\(path)")
        }
    }

    @Test func anUnknownPageIsADesignedHTMLPageForABrowser() throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)/no-such-page", headers: [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")])
            #expect(page.status == 404)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<h1>Page not found</h1>"))
            #expect(page.text.contains(#"<p class="reference">Reference: "#))
            #expect(page.text.contains(#"<a class="button" href="/">Back to the start</a>"#))
        }
    }

    @Test func anUnknownAPIPathIsProblemJSON() throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)/api/v1/nothing", headers: [("Accept", "text/html")])
            #expect(page.status == 404)
            #expect(page.header("Content-Type") == "application/problem+json")
            #expect(page.text.contains(#""code":"not_found""#))
        }
    }

    @Test func theLandingPageLinksToSignIn() throws {
        try withGatehouse { gatehouse, browser in
            let page = try browser.get("\(gatehouse.origin)/")
            #expect(page.status == 200)
            #expect(page.text.contains(#"<a class="button" href="/login">Sign in</a>"#))
            #expect(providerLinks(page.text).count == 3)
        }
    }
}
