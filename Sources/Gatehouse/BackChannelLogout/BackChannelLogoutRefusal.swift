import HTTP
import OIDC

/// Why a back-channel logout request was refused, and how the answer says it.
///
/// Back-Channel Logout 1.0 section 2.8: a request that is invalid, or whose logout failed, is
/// answered 400, with an OAuth 2.0 error object and `Cache-Control: no-store`. The description
/// names the rule that refused it (an `OIDCError` code), never a claim value: the provider's
/// operator reads it in their logs, and the request's sender may be anyone.
enum BackChannelLogoutRefusal: Error, Sendable, Equatable {
    /// Not a form, or not exactly one `logout_token`.
    case malformedRequest(String)
    /// The token failed a rule of `LogoutTokenValidator` (or discovery or the key set failed).
    case tokenRefused(OIDCError)
    /// A token with this issuer and `jti` was acted on before (section 2.6 step 8).
    case replayed
    /// The replay record is full for this issuer: the token cannot be recorded, so it is not acted on.
    case replayRecordFull
    /// The store failed; nothing was recorded and no session was revoked.
    case storeFailed

    /// The `error` member: `invalid_request` when the request is at fault, `temporarily_unavailable`
    /// when Gatehouse is (the provider may send the logout again later, if it retries).
    var error: String {
        switch self {
        case .malformedRequest, .tokenRefused, .replayed: "invalid_request"
        case .replayRecordFull, .storeFailed: "temporarily_unavailable"
        }
    }

    /// What the log line adds to `description`: the OIDC layer's sentence (which never holds a
    /// claim value), for the operator who has to find out which rule a provider broke.
    var logDetail: String {
        if case .tokenRefused(let error) = self { return error.message }
        return ""
    }

    /// The `error_description` member, also the log line's reason.
    var description: String {
        switch self {
        case .malformedRequest(let why): why
        case .tokenRefused(let error): "the logout token was refused (\(error.code))"
        case .replayed: "this logout token was already received"
        case .replayRecordFull: "the logout could not be recorded; no session was ended"
        case .storeFailed: "the logout could not be carried out; no session was ended"
        }
    }

    var response: Response {
        BackChannelLogoutAnswer.response(status: .badRequest, body: ["error": error, "error_description": description])
    }
}
