/// Where GitHub (or a GitHub Enterprise Server) answers: OAuth 2.0 on its web origin, the REST
/// API on `api.github.com` for github.com and under `/api/v3` for an Enterprise Server.
public struct GitHubEndpoints: Sendable, Equatable {
    public static let gitHubDotCom = "https://github.com"

    /// `https://github.com`, or an Enterprise Server's base URL, without a trailing slash. It is
    /// also the issuer GitHub identities are kept under.
    public let web: String
    public let api: String

    public init(baseURL: String) {
        var base = Substring(baseURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        web = String(base)
        api = web == Self.gitHubDotCom ? "https://api.github.com" : web + "/api/v3"
    }

    public var authorization: String { web + "/login/oauth/authorize" }
    public var token: String { web + "/login/oauth/access_token" }
    var user: String { api + "/user" }
    var emails: String { api + "/user/emails" }
}
