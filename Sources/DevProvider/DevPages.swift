import HTTP

/// The HTML the provider shows. No inline script or style anywhere (the HTTP layer's CSP forbids
/// both); every dynamic value goes through `HTMLEscaping`; styling comes from `dev-idp.css`.
struct DevPages: Sendable {
    /// The path prefix of every endpoint (the issuer's path, often empty).
    let prefix: String

    /// Shown on every page: nobody should mistake this for a real sign-in.
    static let warning = "Development provider: it signs anyone in as anyone. For local development and tests only; never use it in production."

    func layout(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>\(HTMLEscaping.escape(title)) · dev-idp</title>
        <link rel="stylesheet" href="\(HTMLEscaping.escape(prefix))/dev-idp.css">
        </head>
        <body>
        <p class="dev-warning" role="alert">\(HTMLEscaping.escape(Self.warning))</p>
        <main>
        \(body)
        </main>
        </body>
        </html>
        """
    }

    /// What the person fills in at the start, from `login_hint` when given.
    struct Prefill: Sendable {
        var subject = "alice"
        var email = "alice@example.com"
        var emailVerified = true
        var name = "Alice Example"
        var preferredUsername = "alice"
        var fault = DevFault.none

        init() {}

        /// A hint fills the subject and username; an email-like hint fills the email too.
        init(loginHint: String?) {
            guard let hint = loginHint, !hint.isEmpty else { return }
            subject = hint
            if let at = hint.firstIndex(of: "@") {
                email = hint
                preferredUsername = String(hint[..<at])
            } else {
                email = ""
                preferredUsername = hint
            }
            name = ""
        }
    }

    /// The sign-in form. The request's parameters ride along in hidden fields.
    func authorizePage(request: AuthorizationRequest, clientID: String, prefill: Prefill, problem: String?) -> String {
        var hidden = "<input type=\"hidden\" name=\"client_id\" value=\"\(HTMLEscaping.escape(clientID))\">\n"
        for (name, value) in request.hiddenFields {
            hidden += "<input type=\"hidden\" name=\"\(HTMLEscaping.escape(name))\" value=\"\(HTMLEscaping.escape(value))\">\n"
        }
        let faults = DevFault.allCases.map { fault in
            let selected = fault == prefill.fault ? " selected" : ""
            return "<option value=\"\(fault.rawValue)\"\(selected)>\(HTMLEscaping.escape(fault.label))</option>"
        }.joined(separator: "\n")
        let problemHTML = problem.map { "<p class=\"problem\" role=\"alert\">\(HTMLEscaping.escape($0))</p>\n" } ?? ""
        return layout(title: "Sign in", body: """
            <h1>Sign in to \(HTMLEscaping.escape(clientID))</h1>
            <p>Type who you want to be. Nothing is checked: this is a development provider.</p>
            \(problemHTML)<form method="post" action="\(HTMLEscaping.escape(prefix))/authorize">
            \(hidden)<p><label for="subject">Subject (sub)</label>
            <input id="subject" name="subject" required maxlength="255" value="\(HTMLEscaping.escape(prefill.subject))"></p>
            <p><label for="email">Email</label>
            <input id="email" name="email" type="email" value="\(HTMLEscaping.escape(prefill.email))"></p>
            <p><input id="email_verified" name="email_verified" type="checkbox" value="true"\(prefill.emailVerified ? " checked" : "")>
            <label for="email_verified">Email verified</label></p>
            <p><label for="name">Name</label>
            <input id="name" name="name" value="\(HTMLEscaping.escape(prefill.name))"></p>
            <p><label for="preferred_username">Preferred username</label>
            <input id="preferred_username" name="preferred_username" value="\(HTMLEscaping.escape(prefill.preferredUsername))"></p>
            <p><label for="fault">Deliberate fault (for testing relying parties)</label>
            <select id="fault" name="fault">
            \(faults)
            </select></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """)
    }

    /// The form_post response (OAuth 2.0 Form Post Response Mode): a form aimed at the redirect
    /// URI. Without script it cannot submit itself, so the person presses Continue.
    func formPostPage(action: String, fields: [(String, String)]) -> String {
        let inputs = fields.map { "<input type=\"hidden\" name=\"\(HTMLEscaping.escape($0.0))\" value=\"\(HTMLEscaping.escape($0.1))\">" }
            .joined(separator: "\n")
        return layout(title: "Continue", body: """
            <h1>Continue to the application</h1>
            <form method="post" action="\(HTMLEscaping.escape(action))">
            \(inputs)
            <p><button type="submit">Continue</button></p>
            </form>
            """)
    }

    func errorPage(title: String, message: String) -> String {
        layout(title: title, body: """
            <h1>\(HTMLEscaping.escape(title))</h1>
            <p class="problem">\(HTMLEscaping.escape(message))</p>
            """)
    }

    func signedOutPage(note: String?) -> String {
        let noteHTML = note.map { "<p class=\"problem\">\(HTMLEscaping.escape($0))</p>\n" } ?? ""
        return layout(title: "Signed out", body: """
            <h1>Signed out</h1>
            \(noteHTML)<p>This provider keeps no session, so there was nothing to end here.</p>
            """)
    }

    /// A Content-Security-Policy for a page whose form leads to `origin`. Browsers apply
    /// `form-action` to the redirects that follow a submission too, so the authorize page must
    /// allow the relying party's origin as well as its own, or the 303 back would be blocked.
    static func contentSecurityPolicy(formTargets origin: String, includingSelf: Bool) -> String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action \(includingSelf ? "'self' " : "")\(origin); "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    static let stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1d1d1b; }
        main { max-width: 34rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff; border-radius: 6px; }
        .dev-warning { margin: 0; padding: 0.75rem 1rem; background: #b3261e; color: #fff; font-weight: 600; text-align: center; }
        .problem { padding: 0.5rem 0.75rem; background: #fdecea; border-left: 4px solid #b3261e; }
        label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
        input[type=checkbox] + label { display: inline; }
        input:not([type=checkbox]), select { width: 100%; box-sizing: border-box; padding: 0.4rem; font: inherit; }
        button { padding: 0.5rem 1.25rem; font: inherit; }

        """
}
