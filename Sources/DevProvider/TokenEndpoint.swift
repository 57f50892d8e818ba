#if canImport(Glibc)
import Glibc
#endif
import HTTP
import JOSE

/// `POST /token`: exchanges a code for an ID token and an access token (OIDC Core 3.1.3).
///
/// The order of checks is the order that leaks least: client authentication first (a request
/// that is not the client's does not even consume the code), then the grant, whose code is
/// consumed on first presentation whatever follows.
struct TokenEndpoint: Sendable {
    let context: DevProviderContext

    func exchange(_ request: Request) throws -> Response {
        if context.tokenDelaySeconds > 0 { usleep(UInt32(context.tokenDelaySeconds * 1_000_000)) }
        context.beforeTokenResponse?()
        let issuer = try context.issuer()
        do {
            return try issueTokens(request, issuer: issuer)
        } catch let error as OAuthErrorResponse {
            context.logger.info("token request refused", metadata: ["error": "\(error.error)", "reason": "\(error.description)"])
            return error.response
        }
    }

    private func issueTokens(_ request: Request, issuer: DevIssuer) throws -> Response {
        let form: QueryParameters
        do {
            form = try request.formBody()
        } catch {
            throw OAuthErrorResponse.invalidRequest("The body must be application/x-www-form-urlencoded UTF-8.")
        }
        let credentials = try ClientCredentials.from(request, form: form)
        try credentials.authenticate(
            context.client, tokenEndpoint: issuer.endpoint("/token"), replay: context.assertionIDs, now: context.clock()
        )
        for name in ["grant_type", "code", "redirect_uri", "code_verifier"] where form.all(name).count > 1 {
            throw OAuthErrorResponse.invalidRequest("The \(name) parameter is repeated.")
        }
        guard let grantType = form.first("grant_type") else { throw OAuthErrorResponse.invalidRequest("grant_type is required.") }
        guard grantType == "authorization_code" else {
            throw OAuthErrorResponse(status: .badRequest, error: "unsupported_grant_type", description: "Only authorization_code is supported.")
        }
        guard let code = form.first("code") else { throw OAuthErrorResponse.invalidRequest("code is required.") }

        let now = context.clock()
        guard let grant = context.codes.redeem(code, now: now) else {
            throw OAuthErrorResponse.invalidGrant("The code is unknown, expired or already used.")
        }
        guard grant.clientID == credentials.id else { throw OAuthErrorResponse.invalidGrant("The code was issued to another client.") }
        guard let redirectURI = form.first("redirect_uri") else {
            throw OAuthErrorResponse.invalidRequest("redirect_uri is required, as it was in the authorization request.")
        }
        guard redirectURI == grant.redirectURI else {
            throw OAuthErrorResponse.invalidGrant("redirect_uri differs from the authorization request's.")
        }
        guard let verifier = form.first("code_verifier") else {
            throw OAuthErrorResponse.invalidRequest("code_verifier is required (PKCE).")
        }
        guard PKCE.isWellFormedVerifier(verifier), PKCE.verifier(verifier, matches: grant.codeChallenge) else {
            throw OAuthErrorResponse.invalidGrant("code_verifier does not match the code_challenge.")
        }

        let issuerForTokens = DevTokenIssuer(keys: context.keys)
        let idToken = try issuerForTokens.idToken(for: grant, issuer: issuer.identifier, now: now)
        let accessToken = try context.tokens.issue(for: grant, now: now)
        context.logger.info("tokens issued", metadata: ["subject": "\(grant.identity.subject)", "fault": "\(grant.fault.rawValue)"])
        var response = Response.jsonDocument(.object([
            "access_token": .string(accessToken),
            "token_type": .string("Bearer"),
            "expires_in": .integer(AccessTokenStore.lifetimeSeconds),
            "id_token": .string(idToken),
            "scope": .string(grant.scopes.sorted().joined(separator: " ")),
        ]))
        // RFC 6749 section 5.1: token responses must never be cached.
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Pragma", "no-cache")
        return response
    }
}

/// `GET` or `POST /userinfo` with `Authorization: Bearer` (OIDC Core section 5.3, RFC 6750).
struct UserInfoEndpoint: Sendable {
    let context: DevProviderContext

    func respond(_ request: Request) -> Response {
        let parts = request.headers["Authorization"]?.split(separator: " ", maxSplits: 1)
        guard let parts, parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].trimmingASCIIWhitespace().isEmpty else {
            // RFC 6750 section 3.1: no credentials, so no error code, only the challenge.
            return Self.unauthorized(#"Bearer realm="dev-idp""#)
        }
        guard let entry = context.tokens.lookUp(String(parts[1].trimmingASCIIWhitespace()), now: context.clock()) else {
            return Self.unauthorized(#"Bearer realm="dev-idp", error="invalid_token", error_description="The access token is unknown or expired""#)
        }
        var response = Response.jsonDocument(.object(DevTokenIssuer.userInfo(entry)))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    private static func unauthorized(_ challenge: String) -> Response {
        Response(status: .unauthorized, headers: ["WWW-Authenticate": challenge, "Cache-Control": "no-store"])
    }
}
