import Foundation
import HTTP
import OIDC
import Templates

/// The pages a person sees, rendered from `Public/templates` (`server.public_dir`).
///
/// The set is loaded once, at start, and every page template is checked against the context
/// its Swift side builds (`PageContext.schema`), so a broken or mistyped template stops the
/// server at start instead of failing somebody's sign-in.
struct PageRenderer: Sendable {
    let templates: TemplateSet

    /// The frame every page is rendered into.
    static let layout = "layout"

    init(templates: TemplateSet) throws(TemplateError) {
        try templates.check(Self.layout, schema: LayoutContext.schema)
        try templates.check(LoginPageContext.template, schema: LoginPageContext.schema)
        try templates.check(LandingPageContext.template, schema: LandingPageContext.schema)
        try templates.check(ErrorPageContext.template, schema: ErrorPageContext.schema)
        try templates.check(AccountPageContext.template, schema: AccountPageContext.schema)
        try templates.check(SignedOutPageContext.template, schema: SignedOutPageContext.schema)
        self.templates = templates
    }

    /// Loads `<publicDirectory>/templates`, or the templates built into the binary when nil.
    init(publicDirectory: String?) throws(TemplateError) {
        guard let publicDirectory else {
            try self.init(templates: TemplateSet(sources: EmbeddedPublic.templates))
            return
        }
        try self.init(templates: TemplateSet(directory: (publicDirectory as NSString).appendingPathComponent("templates")))
    }

    /// A whole HTML page: `context` rendered by its template, inside the layout. Pages are
    /// personal (a CSRF token, who is signed in), so no cache may keep them.
    ///
    /// `formTargets` are the other origins this page's forms may end at after a redirect (see
    /// `SecurityHeaders.contentSecurityPolicy(formActionSources:)`); the page's CSP names them.
    func page<Context: PageContext>(
        _ context: Context, status: HTTPStatus = .ok, formTargets: [String] = []
    ) throws(TemplateError) -> Response {
        let content = try templates.render(Context.template, context.values)
        let document = try templates.render(Self.layout, LayoutContext(title: context.title, content: content).values)
        var response = Response.html(document.text, status: status)
        response.headers.set("Cache-Control", "no-store")
        if !formTargets.isEmpty {
            response.headers.set("Content-Security-Policy", SecurityHeaders.contentSecurityPolicy(formActionSources: formTargets))
        }
        return response
    }

    /// An error page that cannot itself fail: the templates were checked at start, so the
    /// fallback (plain text with the same words) only guards against a programming error.
    func errorPage(_ context: ErrorPageContext, status: HTTPStatus, action: ErrorPageAction) -> Response {
        var context = context
        context.action = action
        return errorPage(context, status: status)
    }

    func errorPage(_ context: ErrorPageContext, status: HTTPStatus) -> Response {
        do {
            return try page(context, status: status)
        } catch {
            var response = Response.text("\(context.heading)\n\n\(context.message)\n\nReference: \(context.reference)\n", status: status)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }
}

/// What one page template is given. `values` builds the context; `schema` is a full example
/// (every key present, one element in each list) that the start-time check walks.
protocol PageContext: Sendable {
    static var template: String { get }
    static var schema: [String: TemplateValue] { get }
    /// The page's `<title>`.
    var title: String { get }
    var values: [String: TemplateValue] { get }
}

/// `layout.html`: the frame.
struct LayoutContext {
    var title: String
    var content: TrustedHTML

    var values: [String: TemplateValue] { ["title": .string(title), "content": .html(content)] }

    static var schema: [String: TemplateValue] { ["title": "Title", "content": .html(.empty)] }
}

/// One "Continue with ..." button (`provider_buttons.html`).
struct ProviderButton: Sendable, Equatable {
    var name: String
    /// `/oidc/SLUG/authorize?next=...`, already percent-encoded.
    var href: String
    var promoted: Bool
    /// A path under /static/, or nil.
    var icon: String?

    var value: TemplateValue {
        ["name": .string(name), "href": .string(href), "promoted": .bool(promoted), "icon": .string(icon ?? "")]
    }

    static let example = ProviderButton(name: "Example", href: "/oidc/example/authorize?next=%2F", promoted: true, icon: "/static/x.svg")

    /// The configured providers as buttons: promoted ones first, each group sorted by name, each
    /// link carrying `next` (already validated) to come back to after sign-in.
    static func all(for providers: [ProviderConfig], next: String) -> [ProviderButton] {
        let encodedNext = PercentEncoding.queryComponent(next)
        return providers
            .sorted { lhs, rhs in
                if lhs.promoted != rhs.promoted { return lhs.promoted }
                let order = lhs.settings.name.localizedStandardCompare(rhs.settings.name)
                return order == .orderedSame ? lhs.slug < rhs.slug : order == .orderedAscending
            }
            .map { provider in
                ProviderButton(
                    name: provider.settings.name, href: "/oidc/\(provider.slug)/authorize?next=\(encodedNext)",
                    promoted: provider.promoted, icon: provider.icon
                )
            }
    }
}

/// The one button of an error page.
struct ErrorPageAction: Sendable, Equatable {
    var label: String
    /// A path on our origin.
    var href: String

    static let start = ErrorPageAction(label: "Back to the start", href: "/")
}

/// `error.html`: every error page a person can land on.
struct ErrorPageContext: PageContext {
    static let template = "error"
    var heading: String
    var message: String
    /// The request id, for support; empty when there is none.
    var reference: String
    /// Where the page's one button leads: what the person can do next.
    var action = ErrorPageAction.start

    var title: String { heading }
    var values: [String: TemplateValue] {
        [
            "heading": .string(heading), "message": .string(message), "reference": .string(reference),
            "action_label": .string(action.label), "action_href": .string(action.href),
        ]
    }

    static var schema: [String: TemplateValue] { ErrorPageContext(heading: "h", message: "m", reference: "r").values }

    /// A form whose CSRF token or origin did not check out: usually a page left open across a
    /// sign-out, or a form submitted from another site.
    static func formExpired(reference: String) -> ErrorPageContext {
        ErrorPageContext(
            heading: "This form has expired",
            message: "The page you sent this from is out of date or did not come from Gatehouse. Reload the page and try again.",
            reference: reference)
    }

    static func notFound(reference: String) -> ErrorPageContext {
        ErrorPageContext(
            heading: "Page not found",
            message: "There is nothing at this address. The link may be mistyped or out of date.",
            reference: reference)
    }

    /// A route's executor had no room: too many of these requests at once.
    static func busy(reference: String) -> ErrorPageContext {
        ErrorPageContext(
            heading: "Gatehouse is busy",
            message: "Too many people are doing this at the same moment. Please wait a few seconds and try again.",
            reference: reference)
    }

    static func serverFault(reference: String) -> ErrorPageContext {
        ErrorPageContext(
            heading: "Something went wrong on our side",
            message: "Gatehouse could not finish this request. Please try again; if it keeps happening, tell your administrator the reference below.",
            reference: reference)
    }
}
