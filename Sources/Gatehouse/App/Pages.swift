import Foundation
import HTTP
import Store

/// The pages a person sees. For now the landing page: who is signed in, and a button per
/// provider; the full sign-in and account pages arrive with the browser issue.
struct Pages: Sendable {
    let config: GatehouseConfig
    let sessions: SessionManager
    let database: Database
    let clock: @Sendable () -> Int64

    func register(in routes: inout RouterBuilder) {
        routes.get("/") { [self] request in try landing(request) }
    }

    private func landing(_ request: Request) throws -> Response {
        let session = try sessions.current(request, now: clock())
        let user = try session?.record.userID.flatMap { id in try database.read { try UserRepository($0).find(id: id) } }
        var body = "<h1>Gatehouse</h1>\n"
        if let user {
            let shown = user.displayName ?? user.username
            body += """
                <p>You are signed in as <strong>\(HTMLEscaping.escape(shown))</strong> \
                (\(HTMLEscaping.escape(user.email ?? user.username))).</p>
                <p><a href="/api/v1/me">See your account as JSON</a> (<code>/api/v1/me</code>).</p>

                """
        } else {
            body += "<p>Sign in through your organisation’s identity provider.</p>\n"
        }
        let buttons = config.providers.sorted { $0.settings.name < $1.settings.name }.map { provider in
            """
            <a class="button" href="/oidc/\(HTMLEscaping.escape(provider.slug))/authorize?next=%2F">\
            Sign in with \(HTMLEscaping.escape(provider.settings.name))</a>
            """
        }
        if buttons.isEmpty {
            body += "<p class=\"muted\">No identity provider is configured yet: add one under <code>providers</code> in the configuration file.</p>\n"
        } else {
            body += "<div class=\"providers\">\n\(buttons.joined(separator: "\n"))\n</div>\n"
        }
        body += """
            <p class="muted"><a href="/healthz">Health</a> · <a href="/readyz">Readiness</a> · <a href="/metrics">Metrics</a></p>
            """
        var response = Response.html(PageLayout.render(title: "Gatehouse", body: body))
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}

/// The shared HTML frame of every page: no inline script or style, so the Content-Security-Policy stays strict.
enum PageLayout {
    static func render(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLEscaping.escape(title))</title>
        <link rel="stylesheet" href="/static/app.css">
        </head>
        <body>
        <main class="card">
        \(body)
        </main>
        </body>
        </html>
        """
    }
}
