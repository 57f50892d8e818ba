import HTTP

/// The pages a person sees. For now the landing page; the sign-in pages arrive with the login flows.
struct Pages: Sendable {
    let config: GatehouseConfig

    func register(in routes: inout RouterBuilder) {
        routes.get("/") { [config] _ in
            Response.html(PageLayout.render(title: "Gatehouse", body: """
                <h1>Gatehouse is running</h1>
                <p>This server signs people in through the identity providers their organisation runs, \
                and hands them to the applications behind it.</p>
                <ul>
                  <li><a href="/healthz">Health</a> and <a href="/readyz">readiness</a> probes</li>
                  <li><a href="/metrics">Metrics</a> in Prometheus format</li>
                </ul>
                <p class="muted">Public URL: \(HTMLEscaping.escape(config.server.publicURL.description))</p>
                """))
        }
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
