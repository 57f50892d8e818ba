import JOSE

/// Who signed in at GitHub, read from its REST API with the access token: GitHub speaks OAuth
/// 2.0 without ID tokens, so these answers (over TLS, with a token only the code exchange
/// gave) are the identity.
///
/// - The subject is the numeric account `id`, which never changes; the `login` is renamable and
///   only ever a `preferred_username`.
/// - The email comes only from `/user/emails`, as the address GitHub marks primary, with
///   GitHub's own `verified` flag. The profile's public `email` on `/user` is text the person
///   typed, unverified, and is never read. Without the `user:email` scope (or when the list
///   cannot be had) there is no email at all.
enum GitHubAccount {
    /// Responses larger than this are refused; real ones are a few kilobytes.
    static let maximumBytes = 256 * 1024
    static let headers = [
        ProviderHeader(name: "Accept", value: "application/vnd.github+json"),
        ProviderHeader(name: "X-GitHub-Api-Version", value: "2022-11-28"),
        // GitHub refuses API requests without a User-Agent.
        ProviderHeader(name: "User-Agent", value: "Gatehouse"),
    ]

    static func claims(
        accessToken: String, endpoints: GitHubEndpoints, send: (ProviderRequest) throws(OIDCError) -> ProviderResponse
    ) throws(OIDCError) -> [String: JSONValue] {
        let authorized = headers + [ProviderHeader(name: "Authorization", value: "Bearer \(accessToken)")]
        let user = try send(ProviderRequest(url: endpoints.user, headers: authorized))
        guard user.status == 200 else { throw .make(.accountUnavailable, "GitHub's /user answered HTTP \(user.status)") }
        guard user.body.count <= maximumBytes, case .object(let account)? = try? JSONValue.parse(user.body) else {
            throw .make(.accountUnavailable, "GitHub's /user answer is not a JSON object")
        }
        guard let id = account["id"]?.int64Value, id > 0 else {
            throw .make(.accountUnavailable, "GitHub's /user answer has no numeric id")
        }
        var claims: [String: JSONValue] = ["sub": .string(String(id))]
        if case .string(let login)? = account["login"], !login.isEmpty { claims["preferred_username"] = .string(login) }
        if case .string(let name)? = account["name"], !name.isEmpty { claims["name"] = .string(name) }
        if let primary = primaryEmail(try? send(ProviderRequest(url: endpoints.emails, headers: authorized))) {
            claims["email"] = .string(primary.address)
            claims["email_verified"] = .bool(primary.verified)
        }
        return claims
    }

    /// The address marked primary in a `/user/emails` answer, with its verified flag; nil for
    /// no answer, an error status, or a list without exactly one well-formed primary.
    static func primaryEmail(_ response: ProviderResponse?) -> (address: String, verified: Bool)? {
        guard let response, response.status == 200, response.body.count <= maximumBytes,
              case .array(let entries)? = try? JSONValue.parse(response.body) else { return nil }
        let primaries = entries.compactMap { entry -> (String, Bool)? in
            guard case .object(let members) = entry, members["primary"] == .bool(true),
                  case .string(let address)? = members["email"], !address.isEmpty else { return nil }
            return (address, members["verified"] == .bool(true))
        }
        guard primaries.count == 1 else { return nil }
        return (address: primaries[0].0, verified: primaries[0].1)
    }
}
