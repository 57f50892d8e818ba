import HTTP

/// `GET /authorize` shows the sign-in form for a valid request; `POST /authorize` takes the
/// form, issues a code and sends the person back to the relying party.
struct AuthorizationEndpoint: Sendable {
    let context: DevProviderContext

    func show(_ request: Request) throws -> Response {
        let issuer = try context.issuer()
        switch AuthorizationRequestValidation.validate(try request.query, client: context.client) {
        case .refused(let message):
            return refusal(message)
        case .redirectError(let error):
            return deliver(error, issuer: issuer, status: .found)
        case .valid(let authorization):
            return signInForm(authorization, prefill: DevPages.Prefill(loginHint: authorization.loginHint), problem: nil, status: .ok)
        }
    }

    func submit(_ request: Request) throws -> Response {
        let issuer = try context.issuer()
        let form = try request.formBody()
        let authorization: AuthorizationRequest
        switch AuthorizationRequestValidation.validate(form, client: context.client) {
        case .refused(let message):
            return refusal(message)
        case .redirectError(let error):
            return deliver(error, issuer: issuer, status: .seeOther)
        case .valid(let valid):
            authorization = valid
        }

        var prefill = DevPages.Prefill()
        prefill.subject = form.first("subject") ?? ""
        prefill.email = form.first("email") ?? ""
        prefill.emailVerified = form.first("email_verified") != nil
        prefill.name = form.first("name") ?? ""
        prefill.preferredUsername = form.first("preferred_username") ?? ""
        guard let fault = DevFault(rawValue: form.first("fault") ?? DevFault.none.rawValue) else {
            return signInForm(authorization, prefill: prefill, problem: "Choose a fault from the list.", status: .badRequest)
        }
        prefill.fault = fault
        let identity: DevIdentity
        switch DevIdentity.fromForm(
            subject: form.first("subject"), email: form.first("email"), emailVerified: form.first("email_verified"),
            name: form.first("name"), preferredUsername: form.first("preferred_username")
        ) {
        case .failure(let problem):
            return signInForm(authorization, prefill: prefill, problem: problem.message, status: .badRequest)
        case .success(let typed):
            identity = typed
        }

        let now = context.clock()
        let sessionID = try context.sessions.start(subject: identity.subject)
        let grant = AuthorizationGrant(
            clientID: context.client.id, redirectURI: authorization.redirectURI.text, codeChallenge: authorization.codeChallenge,
            nonce: authorization.nonce, scopes: authorization.scopes, identity: identity, fault: fault,
            authTime: reportedAuthTime(authorization, now: now),
            sessionID: sessionID
        )
        let code = try context.codes.issue(grant, now: now)
        context.logger.notice("signed in", metadata: ["subject": "\(identity.subject)", "fault": "\(fault.rawValue)"])
        var parameters = [("code", code)]
        if let state = authorization.state { parameters.append(("state", state)) }
        parameters.append(("iss", issuer.identifier))
        return deliver(parameters, to: authorization.redirectURI, mode: authorization.responseMode, status: .seeOther)
    }

    /// The `auth_time` this sign-in reports (`DevProviderOptions.authTimeReport`).
    private func reportedAuthTime(_ authorization: AuthorizationRequest, now: Int64) -> Int64? {
        switch context.authTimeReport {
        case .signInMoment: now
        case .remembered(let at): authorization.promptsLogin ? now : at
        case .none: nil
        }
    }

    // MARK: Responses

    private func signInForm(_ authorization: AuthorizationRequest, prefill: DevPages.Prefill, problem: String?, status: HTTPStatus) -> Response {
        var response = Response.html(
            context.pages.authorizePage(request: authorization, clientID: context.client.id, prefill: prefill, problem: problem),
            status: status)
        response.headers.set(
            "Content-Security-Policy",
            DevPages.contentSecurityPolicy(formTargets: authorization.redirectURI.origin, includingSelf: true))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// A page, never a redirect: the redirect URI is not one we may send anybody to.
    private func refusal(_ message: String) -> Response {
        var response = Response.html(
            context.pages.errorPage(title: "This sign-in request is not valid", message: message), status: .badRequest)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    private func deliver(_ error: AuthorizationErrorResponse, issuer: DevIssuer, status: Response.RedirectStatus) -> Response {
        var parameters = [("error", error.error), ("error_description", error.description)]
        if let state = error.state { parameters.append(("state", state)) }
        parameters.append(("iss", issuer.identifier))
        return deliver(parameters, to: error.redirectURI, mode: error.responseMode, status: status)
    }

    /// Sends `parameters` to the relying party: in the redirect's query, or (form_post) in a
    /// page whose form posts them there.
    private func deliver(
        _ parameters: [(String, String)], to redirectURI: HTTPURL, mode: ResponseMode, status: Response.RedirectStatus
    ) -> Response {
        var response: Response
        switch mode {
        case .query:
            response = .redirect(to: redirectURI.appendingQuery(parameters), status: status)
        case .formPost:
            response = .html(context.pages.formPostPage(action: redirectURI.text, fields: parameters))
            response.headers.set(
                "Content-Security-Policy", DevPages.contentSecurityPolicy(formTargets: redirectURI.origin, includingSelf: false))
        }
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
