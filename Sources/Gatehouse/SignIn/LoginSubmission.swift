import HTTP
import Logging
import OIDC

/// `POST /login`: the password form of the sign-in page.
///
/// With a password: `PasswordSignIn` checks it (one generic refusal for every failure, the same
/// cost for unknown users, rate limits per address, identifier and account) and a success goes
/// to `SignInCompletion`, the one end of every sign-in. Without one it is the identification
/// step alone, throttled and audited like a password attempt: with
/// `pretend_unknown_users_exist` (the default) every identifier continues to the password field;
/// without it, only one that names an account with a password does.
struct LoginSubmission: Sendable {
    static let refusedSentence = "That username or email and password do not match an account here."

    let config: GatehouseConfig
    let returnTarget: ReturnTarget
    let sessions: SessionManager
    let passwords: PasswordSignIn
    let completion: SignInCompletion
    let csrf: CSRFProtection
    let pages: PageRenderer
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// The longest sign-in form read. A real one is a CSRF token, an identifier, a password of at
    /// most 1,024 bytes and a return path, percent-encoded: a few KiB. A longer body is refused
    /// before it is parsed, here and where its executor is chosen on the event loop, so a
    /// megabyte of form pairs costs no parsing at all.
    static let maximumFormBytes = 16 * 1024

    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice) {
        routes.post("/login", on: executor) { [self] request in try submit(request) }
    }

    func submit(_ request: Request) throws -> Response {
        let now = clock()
        guard !config.passwordSources.isEmpty else { return pages.errorPage(.notFound(reference: request.requestID), status: .notFound) }
        guard request.body.count <= Self.maximumFormBytes else {
            return pages.errorPage(ErrorPageContext(
                heading: "This form is too large",
                message: "Gatehouse reads sign-in forms of at most 16 KiB. Go back to the sign-in page and try again.",
                reference: request.requestID
            ), status: .payloadTooLarge, action: ErrorPageAction(label: "Back to sign-in", href: "/login"))
        }
        let form = try request.formBody()
        let next = returnTarget.validate(form.first("next"))
        let identifier = String((form.first("identifier") ?? "").prefix(LoginPage.maximumHintBytes))
        let password = form.first("password") ?? ""

        // The form came from our page in this browser: the session cookie's secret (of a signed-in
        // session, or the anonymous one the sign-in page set, stored nowhere) and its CSRF token.
        guard let binding = sessions.presentedToken(in: request),
              (try? csrf.check(request, session: binding, submittedToken: form.first(CSRFProtection.formField))) != nil
        else {
            return pages.errorPage(.formExpired(reference: request.requestID), status: .forbidden,
                                   action: ErrorPageAction(label: "Back to sign-in", href: "/login"))
        }
        func again(identifierError: String = "", passwordError: String = "", status: HTTPStatus) throws -> Response {
            let context = LoginPageContext(
                login: config.login, identifier: identifier, identifierError: identifierError, passwordError: passwordError,
                csrfToken: CSRFProtection.token(for: binding), next: next, providers: ProviderButton.all(for: config.providers, next: next),
                passwordEnabled: !config.passwordSources.isEmpty
            )
            return try pages.page(context, status: status, formTargets: config.forwardAuth.formTargets)
        }

        if identifier.trimmingCharacters(in: .whitespaces).isEmpty {
            return try again(identifierError: "Enter your \(config.login.identifierLabel.lowercased()).", status: .badRequest)
        }
        func rateLimited(_ retryAfter: Int64) throws -> Response {
            var response = try again(
                passwordError: "Too many failed attempts. Wait \(Self.wait(retryAfter)) before trying again.", status: .tooManyRequests
            )
            response.headers.set("Retry-After", "\(retryAfter)")
            return response
        }
        if password.isEmpty {
            // The identification step knows local accounts only: with a directory among the
            // password sources it never says "no account", it asks for the password.
            let directoryAnswers = config.passwordSources.contains { if case .directory = $0 { true } else { false } }
            switch passwords.identify(
                identifier, pretend: config.login.pretendUnknownUsersExist || directoryAnswers, clientAddress: request.clientAddress,
                requestID: request.requestID, now: now
            ) {
            case .askForPassword:
                return try again(passwordError: "Enter your password.", status: .ok)
            case .unknown:
                return try again(identifierError: "There is no account with a password for this name here. "
                    + "Check the spelling, or sign in with a provider below.", status: .unauthorized)
            case .rateLimited(let retryAfter):
                return try rateLimited(retryAfter)
            }
        }

        let principal: AuthenticatedPrincipal
        let method: String
        switch passwords.signIn(
            identifier: identifier, password: password, clientAddress: request.clientAddress,
            requestID: request.requestID, now: now
        ) {
        case .outcome(.verified(let userID, let auditDetail)):
            (principal, method) = (.localUser(userID: userID, auditDetail: auditDetail), "password")
        case .directory(let verified, let groups, let auditDetail):
            (principal, method) = (.directory(verified, groups: groups, auditDetail: auditDetail), "ldap")
        case .outcome(.refused):
            return try again(passwordError: Self.refusedSentence, status: .unauthorized)
        case .outcome(.rateLimited(let retryAfter)):
            return try rateLimited(retryAfter)
        }
        let outcome: SignInCompletion.Outcome
        do {
            outcome = try completion.complete(principal, request: request, now: now)
        } catch {
            // Nothing of the sign-in was committed; the person may simply try again.
            logger.error("could not record a password sign-in", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
            return pages.errorPage(.serverFault(reference: request.requestID), status: .serviceUnavailable)
        }
        guard case .signedIn(let userID, let started) = outcome else {
            return try again(passwordError: Self.refusedSentence, status: .unauthorized)
        }
        var response = Response.redirect(to: next, status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        try response.setCookie(started.cookie)
        logger.info("signed in", metadata: ["request_id": "\(request.requestID)", "method": "\(method)", "user_id": "\(userID)"])
        return response
    }

    /// "12 seconds", "3 minutes": the wait in words.
    static func wait(_ seconds: Int64) -> String {
        if seconds < 90 { return seconds == 1 ? "1 second" : "\(seconds) seconds" }
        let minutes = (seconds + 59) / 60
        return "\(minutes) minutes"
    }
}
