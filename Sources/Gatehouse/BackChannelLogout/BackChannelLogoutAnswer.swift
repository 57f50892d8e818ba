import HTTP

/// The answers of `POST /oidc/{slug}/backchannel-logout`: never cached (section 2.8).
enum BackChannelLogoutAnswer {
    /// 200: the logout was carried out (which may mean no session matched: section 2.7).
    static var success: Response {
        var response = Response(status: .ok)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    static func response(status: HTTPStatus, body: [String: String]) -> Response {
        // A dictionary of strings always encodes; the fallback only keeps the signature total.
        var response = (try? Response.json(.object(body.mapValues(JSONValue.string)), status: status)) ?? Response(status: status)
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
