import HTTP
import Logging
import OIDC
import Store
import Templates

/// `GET /account` and its forms: the signed-in person's profile and linked identities,
/// "link another provider", and "unlink" (issue 5 section 2).
///
/// Every form is a POST carrying the session's CSRF token and is checked for origin too. Linking
/// needs a recent sign-in (ten minutes), so a session left open on a shared computer cannot be
/// used to attach a stranger's provider account to it.
struct AccountPage: Sendable {
    /// How recent the sign-in must be to link another identity.
    static let recentSignInSeconds: Int64 = 600

    /// Whether a session signed in at `authenticatedAt` (nil: not known) counts as recent. The
    /// time may be a provider's `auth_time`, any Int64 a token carried: review finding, one far
    /// in the past made `now - authenticatedAt` overflow and stopped the server.
    static func isRecent(_ authenticatedAt: Int64?, now: Int64) -> Bool {
        guard let authenticatedAt else { return false }
        let (age, overflow) = now.subtractingReportingOverflow(authenticatedAt)
        return !overflow && age <= recentSignInSeconds
    }

    let config: GatehouseConfig
    let database: Database
    let sessions: SessionManager
    let signIn: OIDCSignIn
    let unlinking: IdentityUnlinking
    let csrf: CSRFProtection
    let pages: PageRenderer
    let logger: Logger
    let clock: @Sendable () -> Int64

    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice, providerExecutor: @escaping ExecutorChoice) {
        routes.get("/account", on: executor) { [self] request in try show(request) }
        routes.post("/account/link/:provider", on: providerExecutor) { [self] request in try startLink(request) }
        routes.post("/account/identities/:id/unlink", on: executor) { [self] request in try unlink(request) }
    }

    // MARK: - The page

    func show(_ request: Request) throws -> Response {
        let now = clock()
        guard let session = try sessions.current(request, now: now), let userID = session.record.userID else {
            return Response.redirect(to: "/login?next=%2Faccount", status: .seeOther)
        }
        let loaded = try database.read { connection in
            (try UserRepository(connection).find(id: userID),
             try IdentityRepository(connection).list(userID: userID),
             try UserRepository(connection).passwordHash(userID: userID) != nil)
        }
        guard let user = loaded.0 else { return Response.redirect(to: "/login?next=%2Faccount", status: .seeOther) }
        let notice = (try? request.query.first("notice")).flatMap { $0.flatMap(AccountNotice.init(rawValue:)) }
        let context = AccountPageContext(
            user: user, identities: loaded.1, hasPassword: loaded.2, waysIn: unlinking.waysIn, providers: config.providers,
            csrfToken: session.csrfToken, notice: notice
        )
        return try pages.page(context, formTargets: formTargets())
    }

    /// Where this page's forms may lead after their redirect: each provider's authorization
    /// endpoint (linking) and end-session endpoint (sign-out). The issuer's origin is always
    /// named (most providers serve both endpoints there), so the page does not depend on
    /// discovery answering right now; discovered endpoints elsewhere are added when known, from
    /// the last document fetched: the page runs on the store executor, and a provider that hangs
    /// must not hold its threads (review finding).
    private func formTargets() -> [String] {
        var origins: [String] = []
        for provider in signIn.providers.values {
            if let issuer = try? EndpointURL.parse(provider.settings.issuer, plainHTTPAllowedForLoopback: true) {
                origins.append(issuer.origin)
            }
            guard let discovery = provider.lastKnownDiscovery() else { continue }
            origins.append(discovery.authorizationEndpoint.origin)
            if let endSession = discovery.endSessionEndpoint { origins.append(endSession.origin) }
        }
        return Array(Set(origins)).sorted()
    }

    // MARK: - Link another provider

    func startLink(_ request: Request) throws -> Response {
        // A slug that names no provider has no executor, so this runs on the event loop: it is
        // answered before the session check, which may wait for the database writer (review
        // finding: any signed-in person could make a loop wait behind the writer).
        let slug = request.pathParameters["provider"] ?? ""
        guard signIn.providers[slug] != nil else {
            return pages.errorPage(.notFound(reference: request.requestID), status: .notFound)
        }
        let now = clock()
        let checked = try checkedForm(request, now: now)
        guard case .allowed(let session, let userID) = checked else { return refusal(checked, request) }
        guard Self.isRecent(session.record.authenticatedAt, now: now) else {
            return signInAgainPage(
                "Sign in again to link an account",
                "For your safety, linking another sign-in provider needs a sign-in from the last ten minutes: "
                    + "a password typed here, or a provider that says you signed in there just now. "
                    + "Sign in again, then come back to your account page.",
                request, status: .forbidden, target: signInAgainTarget(for: session)
            )
        }
        return signIn.begin(slug: slug, next: "/account?notice=linked", intent: .link(userID: userID), request: request)
    }

    // MARK: - Unlink

    func unlink(_ request: Request) throws -> Response {
        let now = clock()
        let checked = try checkedForm(request, now: now)
        guard case .allowed(_, let userID) = checked else { return refusal(checked, request) }
        guard let identityID = request.pathParameters["id"].flatMap({ Int64($0) }) else {
            return pages.errorPage(.notFound(reference: request.requestID), status: .notFound)
        }
        switch try unlinking.unlink(identityID: identityID, userID: userID, actor: "person", requestID: request.requestID, now: now) {
        case .unlinked(let identity):
            logger.info("identity unlinked", metadata: [
                "request_id": "\(request.requestID)", "user_id": "\(userID)", "provider": "\(identity.provider)",
            ])
            // The identity this browser signed in with ends its session too (`IdentityUnlinking`):
            // say so, rather than send the person to an account page that now asks them to sign in.
            guard try sessions.current(request, now: now) != nil else {
                return signInAgainPage(
                    "You were signed out",
                    "You removed the sign-in this browser was using, so its session ended with it. Sign in again another way to continue.",
                    request, status: .ok
                )
            }
            return Response.redirect(to: "/account?notice=unlinked", status: .seeOther)
        case .notFound, .changed:  // the page asks for no version, so `.changed` never comes
            return pages.errorPage(.notFound(reference: request.requestID), status: .notFound)
        case .lastSignInMethod:
            return pages.errorPage(ErrorPageContext(
                heading: "This is your only way to sign in",
                message: "Removing this provider would leave your account with no way to sign in. "
                    + "Link another provider or set a password first, then remove this one.",
                reference: request.requestID
            ), status: .conflict, action: ErrorPageAction(label: "Back to your account", href: "/account"))
        }
    }

    /// A page whose one button signs the person in again and brings them back here.
    private func signInAgainPage(
        _ heading: String, _ message: String, _ request: Request, status: HTTPStatus, target: String = "/login?next=%2Faccount"
    ) -> Response {
        pages.errorPage(ErrorPageContext(heading: heading, message: message, reference: request.requestID), status: status,
                        action: ErrorPageAction(label: "Sign in again", href: target))
    }

    /// Where "Sign in again" leads for a link: through the provider this session came from,
    /// asking it for a fresh sign-in (with single sign-on it would otherwise answer from the
    /// session it remembered, and the new sign-in would not count as recent either), or to the
    /// sign-in page for a password, and for GitHub, which never says when its user signed in
    /// (sending the person back through it would only come back to this page).
    private func signInAgainTarget(for session: ActiveSession) -> String {
        guard let slug = session.record.provider, let provider = signIn.providers[slug], provider.settings.quirks.gitHub == nil else {
            return "/login?next=%2Faccount"
        }
        return "/oidc/\(slug)/authorize?next=%2Faccount&\(OIDCSignIn.reauthenticateParameter)=1"
    }

    // MARK: - Form checks

    enum FormCheck {
        case allowed(ActiveSession, userID: Int64)
        case signedOut
        case forged
    }

    /// A signed-in session, the request's origin, and the form's CSRF token.
    private func checkedForm(_ request: Request, now: Int64) throws -> FormCheck {
        guard let session = try sessions.current(request, now: now), let userID = session.record.userID else { return .signedOut }
        do { try csrf.checkForm(request, session: session.token) } catch { return .forged }
        return .allowed(session, userID: userID)
    }

    private func refusal(_ check: FormCheck, _ request: Request) -> Response {
        switch check {
        case .signedOut:
            return Response.redirect(to: "/login?next=%2Faccount", status: .seeOther)
        case .forged, .allowed:
            return pages.errorPage(.formExpired(reference: request.requestID), status: .forbidden)
        }
    }
}

/// The fixed sentences the account page can show after a redirect. Only these names are read
/// from the query, so the page never repeats text a link could plant.
enum AccountNotice: String, Sendable {
    case linked
    case unlinked

    var sentence: String {
        switch self {
        case .linked: "The sign-in provider was linked to your account."
        case .unlinked: "The sign-in provider was removed from your account."
        }
    }
}
