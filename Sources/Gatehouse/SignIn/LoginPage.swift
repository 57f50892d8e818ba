import HTTP
import OIDC
import Templates

/// `GET /login`: the identification step (issue 5 section 1 and seed 002).
///
/// One field for who the person is, a password field when local passwords are enabled, and a
/// button per provider. `login_hint` pre-fills the field; `next` is validated here and carried
/// in the form and on every provider link, so wherever sign-in ends, it ends on our origin.
/// The form posts to `/login` with a CSRF token derived from the session cookie's secret;
/// checking the password is the POST handler's job, which lives elsewhere.
struct LoginPage: Sendable {
    let config: GatehouseConfig
    let returnTarget: ReturnTarget
    let sessions: SessionManager
    let pages: PageRenderer

    /// Longer hints are dropped rather than cut: an identifier (an email address is at most
    /// 254 bytes) is never this long, and half of one would only mislead.
    static let maximumHintBytes = 320

    /// Inline: the page reads nothing and writes nothing.
    func register(in routes: inout RouterBuilder) {
        routes.get("/login") { [self] request in try show(request) }
    }

    func show(_ request: Request) throws -> Response {
        let query = try request.query
        let next = returnTarget.validate(query.first("next"))
        let hint = query.first("login_hint").flatMap { $0.utf8.count <= Self.maximumHintBytes ? $0 : nil } ?? ""

        // The form's CSRF token is derived from the session cookie's secret. A visitor without
        // one gets a fresh secret in the cookie and nothing in the database: the token needs no
        // storage, so an anonymous page view writes nothing (issue 12 section 3). Signing in
        // starts a session under a new id either way.
        var newCookie: SetCookie?
        let binding: SessionToken
        if let presented = sessions.presentedToken(in: request) {
            binding = presented
        } else {
            binding = try SessionToken.generate()
            newCookie = try sessions.anonymousCookie(binding)
        }

        let context = LoginPageContext(
            login: config.login, identifier: hint, identifierError: "", passwordError: "",
            csrfToken: CSRFProtection.token(for: binding), next: next, providers: ProviderButton.all(for: config.providers, next: next),
            passwordEnabled: !config.passwordSources.isEmpty
        )
        var response = try pages.page(context, formTargets: config.forwardAuth.formTargets)
        if let newCookie { try response.setCookie(newCookie) }
        return response
    }
}

/// `login.html`. The error strings are empty when there is nothing to say; the POST handler
/// fills them (one generic sentence for an unknown user and a wrong password alike).
struct LoginPageContext: PageContext {
    static let template = "login"
    var login: LoginConfig
    var identifier: String
    var identifierError: String
    var passwordError: String
    var csrfToken: String
    /// Already validated with `ReturnTarget` (a local path, or a protected application's URL).
    var next: String
    var providers: [ProviderButton]
    /// Whether the page has a password field: some password source (local passwords or a
    /// directory) is configured; nil reads `login.local_passwords` alone.
    var passwordEnabled: Bool? = nil

    var title: String { "Sign in" }

    var values: [String: TemplateValue] {
        [
            "identifier_label": .string(login.identifierLabel),
            "identifier": .string(identifier),
            "identifier_autocomplete": .string(login.identifierFields.contains(.username) ? "username" : "email"),
            "identifier_error": .string(identifierError),
            "password_enabled": .bool(passwordEnabled ?? login.localPasswords),
            "password_error": .string(passwordError),
            "csrf_token": .string(csrfToken),
            "next": .string(next),
            "has_providers": .bool(!providers.isEmpty),
            "providers": .list(providers.map(\.value)),
        ]
    }

    static var schema: [String: TemplateValue] {
        LoginPageContext(
            login: LoginConfig(), identifier: "i", identifierError: "e", passwordError: "e", csrfToken: "t", next: "/",
            providers: [ProviderButton.example]
        ).values
    }
}
