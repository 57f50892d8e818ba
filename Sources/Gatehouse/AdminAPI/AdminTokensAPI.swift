import HTTP

/// API tokens, managed with the `admin` scope.
enum AdminTokensAPI {
    static let base = "/api/v1/admin/tokens"

    static var operations: [AdminOperation] {
        [
            AdminOperation(
                method: "GET", path: base, operationID: "listTokens", summary: "List API tokens (never their secrets).",
                scope: .admin, tag: "tokens",
                parameters: [.query("include_revoked", "Include revoked tokens.", APISchema.boolean), .limit, .cursor],
                success: APISuccess(status: 200, description: "A page of tokens.", schema: APISchema.ref("TokenList"))
            ) { call in
                let query = try call.query()
                let tokens = try call.administration.listTokens(includingRevoked: try call.boolean(query, "include_revoked") ?? false, try call.page(query))
                return call.list(tokens, AdminRepresentation.token)
            },
            AdminOperation(
                method: "POST", path: base, operationID: "createToken",
                summary: "Create an API token. Its secret is in this answer and nowhere else, ever: only its SHA-256 is stored.",
                scope: .admin, tag: "tokens", requestBody: APISchema.ref("NewToken"),
                success: APISuccess(status: 201, description: "The token, with its secret.", schema: APISchema.ref("CreatedToken"), location: true),
                conflicts: true
            ) { call in
                var body = try APIRequestBody(call.request, keys: ["name", "scopes", "expires_in"])
                let new = NewToken(
                    name: body.string("name", required: true) ?? "", scopes: body.strings("scopes", required: true, most: APIScope.allCases.count) ?? [],
                    expiresIn: body.integer("expires_in", in: 1...NewToken.longestLife)
                )
                try body.finish()
                let created = try call.administration.createToken(new, by: call.actor)
                return call.json(AdminRepresentation.createdToken(created), status: .created, location: "\(base)/\(created.token.id)")
            },
            AdminOperation(
                method: "GET", path: base + "/{token_id}", operationID: "getToken", summary: "Read an API token (never its secret).",
                scope: .admin, tag: "tokens", parameters: [.pathID("token_id", "token")],
                success: APISuccess(status: 200, description: "The token.", schema: APISchema.ref("Token"), entityTag: true)
            ) { call in
                call.json(AdminRepresentation.token(try call.administration.token(try call.pathID("token_id", "token"))), entityTag: true)
            },
            AdminOperation(
                method: "DELETE", path: base + "/{token_id}", operationID: "revokeToken",
                summary: "Revoke an API token: its next request is refused.",
                scope: .admin, tag: "tokens", parameters: [.pathID("token_id", "token")],
                success: APISuccess(status: 204, description: "Revoked (or revoked already).", schema: nil)
            ) { call in
                _ = try call.administration.revokeToken(try call.pathID("token_id", "token"), by: call.actor)
                return call.noContent()
            },
        ]
    }
}
