import HTTP
import JOSE

/// An error from the token or userinfo endpoint, as RFC 6749 section 5.2 shapes it:
/// `{"error": ..., "error_description": ...}` with 400, or 401 for client authentication.
struct OAuthErrorResponse: Error, Sendable, Equatable {
    let status: HTTPStatus
    let error: String
    let description: String
    /// Extra headers (`WWW-Authenticate` on a 401).
    var headers: [(String, String)] = []

    static func == (lhs: OAuthErrorResponse, rhs: OAuthErrorResponse) -> Bool {
        lhs.status == rhs.status && lhs.error == rhs.error && lhs.description == rhs.description
    }

    static func invalidRequest(_ description: String) -> OAuthErrorResponse {
        OAuthErrorResponse(status: .badRequest, error: "invalid_request", description: description)
    }
    static func invalidGrant(_ description: String) -> OAuthErrorResponse {
        OAuthErrorResponse(status: .badRequest, error: "invalid_grant", description: description)
    }
    /// 401, with a Basic challenge when the client tried Basic (RFC 6749 section 5.2 requires it then).
    static func invalidClient(_ description: String, usedBasic: Bool) -> OAuthErrorResponse {
        OAuthErrorResponse(
            status: .unauthorized, error: "invalid_client", description: description,
            headers: usedBasic ? [("WWW-Authenticate", "Basic realm=\"dev-idp\", charset=\"UTF-8\"")] : [])
    }

    var response: Response {
        var response = Response.jsonDocument(.object(["error": .string(error), "error_description": .string(description)]), status: status)
        for (name, value) in headers { response.headers.set(name, value) }
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}

extension Response {
    /// A JSON body from JOSE's value type, serialised compactly with sorted members. The values
    /// the provider builds are always serialisable; should one not be, the answer is a bare 500
    /// rather than half a document.
    static func jsonDocument(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        guard let body = try? value.serialized() else {
            return Response(status: .internalServerError, headers: ["Content-Type": MediaType.plainText], body: Array("500\n".utf8))
        }
        return Response(status: status, headers: ["Content-Type": MediaType.json], body: body)
    }
}
