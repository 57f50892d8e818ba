import HTTP
import JOSE

/// How the authorization response travels back to the relying party (OAuth 2.0 Multiple
/// Response Type Encoding Practices; OAuth 2.0 Form Post Response Mode).
enum ResponseMode: String, Sendable {
    case query
    case formPost = "form_post"
}

/// An authorization request that passed every check (OIDC Core section 3.1.2.1, PKCE per RFC 7636).
struct AuthorizationRequest: Sendable, Equatable {
    let redirectURI: HTTPURL
    /// Nil when the request did not name one (the default, query, applies).
    let requestedResponseMode: ResponseMode?
    let scope: String
    let state: String?
    let nonce: String?
    let codeChallenge: String
    let loginHint: String?
    /// `prompt` names `login`: the relying party asks for a fresh sign-in, not a remembered one.
    let promptsLogin: Bool

    var responseMode: ResponseMode { requestedResponseMode ?? .query }
    var scopes: Set<String> { Set(scope.split(separator: " ").map(String.init)) }

    /// The parameters the authorize form carries in hidden fields, so the POST can be checked
    /// exactly as the GET was. `login_hint` only fills the visible fields and is not carried.
    var hiddenFields: [(String, String)] {
        var fields: [(String, String)] = [
            ("response_type", "code"), ("redirect_uri", redirectURI.text), ("scope", scope),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ]
        if let requestedResponseMode { fields.append(("response_mode", requestedResponseMode.rawValue)) }
        if promptsLogin { fields.append(("prompt", "login")) }
        if let state { fields.append(("state", state)) }
        if let nonce { fields.append(("nonce", nonce)) }
        return fields
    }
}

/// An error to send back to the relying party's redirect URI (RFC 6749 section 4.1.2.1).
struct AuthorizationErrorResponse: Sendable, Equatable {
    let redirectURI: HTTPURL
    let responseMode: ResponseMode
    /// The RFC 6749 / OIDC error code (`invalid_request`, `invalid_scope`, ...).
    let error: String
    /// Plain ASCII without `"` or `\`, as RFC 6749 allows in `error_description`.
    let description: String
    let state: String?
}

/// What to do with an authorization request.
enum AuthorizationDecision: Sendable, Equatable {
    case valid(AuthorizationRequest)
    /// The client or the redirect URI is unknown or malformed. RFC 6749 section 4.1.2.1: the
    /// person is told on a page and is never redirected, or this endpoint becomes an open redirector.
    case refused(String)
    /// Anything else wrong is reported to the (now trusted) redirect URI.
    case redirectError(AuthorizationErrorResponse)
}

enum AuthorizationRequestValidation {
    /// Parameters that must not be repeated (RFC 6749 section 3.1); a repeat is ambiguous, and
    /// two components reading different copies is how parameter pollution attacks work.
    static let singleValued = [
        "client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce",
        "code_challenge", "code_challenge_method", "prompt", "login_hint",
    ]
    /// `state` and `nonce` longer than this are refused: real ones are a few dozen bytes.
    static let maximumOpaqueValueBytes = 2048

    static func validate(_ parameters: QueryParameters, client: DevClient) -> AuthorizationDecision {
        let clientIDs = parameters.all("client_id")
        guard clientIDs.count == 1 else { return .refused("The request must carry exactly one client_id.") }
        guard clientIDs[0] == client.id else { return .refused("The client_id is not registered with this provider.") }
        let redirects = parameters.all("redirect_uri")
        guard redirects.count == 1 else { return .refused("The request must carry exactly one redirect_uri.") }
        guard let redirectURI = client.redirectURI(exactly: redirects[0]) else {
            return .refused("The redirect_uri is not registered for this client (the match must be exact).")
        }

        // From here on errors go back to the redirect URI, in the requested mode when it is valid.
        let states = parameters.all("state")
        let state = states.count == 1 ? states[0] : nil
        let modes = parameters.all("response_mode")
        let requestedMode = modes.count == 1 ? ResponseMode(rawValue: modes[0]) : nil
        func fail(_ error: String, _ description: String) -> AuthorizationDecision {
            .redirectError(AuthorizationErrorResponse(
                redirectURI: redirectURI, responseMode: requestedMode ?? .query, error: error, description: description, state: state))
        }

        if let repeated = singleValued.first(where: { parameters.all($0).count > 1 }) {
            return fail("invalid_request", "The \(repeated) parameter is repeated.")
        }
        if modes.count == 1, requestedMode == nil {
            return fail("invalid_request", "response_mode must be query or form_post.")
        }
        if parameters.contains("request") { return fail("request_not_supported", "Request objects are not supported.") }
        if parameters.contains("request_uri") { return fail("request_uri_not_supported", "request_uri is not supported.") }
        guard let responseType = parameters.first("response_type") else {
            return fail("invalid_request", "response_type is required.")
        }
        guard responseType == "code" else {
            return fail("unsupported_response_type", "Only the authorization code flow (response_type=code) is supported.")
        }
        guard let scope = parameters.first("scope"), scope.split(separator: " ").contains("openid") else {
            return fail("invalid_scope", "The scope must include openid.")
        }
        guard let challenge = parameters.first("code_challenge") else {
            return fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.")
        }
        guard parameters.first("code_challenge_method") == "S256" else {
            return fail("invalid_request", "code_challenge_method must be S256.")
        }
        guard PKCE.isWellFormedChallenge(challenge) else {
            return fail("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the verifier.")
        }
        let nonce = parameters.first("nonce")
        for (name, value) in [("state", state), ("nonce", nonce)] where (value?.utf8.count ?? 0) > maximumOpaqueValueBytes {
            return fail("invalid_request", "The \(name) parameter is longer than \(maximumOpaqueValueBytes) bytes.")
        }
        if let prompt = parameters.first("prompt"), prompt.split(separator: " ").contains("none") {
            return fail("login_required", "This provider keeps no session, so prompt=none cannot succeed.")
        }
        return .valid(AuthorizationRequest(
            redirectURI: redirectURI, requestedResponseMode: requestedMode, scope: scope, state: state, nonce: nonce,
            codeChallenge: challenge, loginHint: parameters.first("login_hint"),
            promptsLogin: parameters.first("prompt")?.split(separator: " ").contains("login") == true
        ))
    }
}
