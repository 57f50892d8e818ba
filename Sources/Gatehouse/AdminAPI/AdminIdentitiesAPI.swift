import HTTP

/// Identities: a user's, the reverse lookup by (provider, subject), linking and unlinking.
enum AdminIdentitiesAPI {
    static let base = "/api/v1/admin/identities"

    static var operations: [AdminOperation] {
        [
            AdminOperation(
                method: "GET", path: AdminUsersAPI.base + "/{user_id}/identities", operationID: "listUserIdentities",
                summary: "List a user's identities, oldest first.", scope: .usersRead, tag: "identities",
                parameters: [.pathID("user_id", "user"), .limit, .cursor],
                success: APISuccess(status: 200, description: "A page of identities.", schema: APISchema.ref("IdentityList"))
            ) { call in
                let id = try call.pathID("user_id", "user")
                let query = try call.query()
                return call.list(try call.administration.listIdentities(IdentityQuery(userID: id), try call.page(query)), AdminRepresentation.identity)
            },
            AdminOperation(
                method: "POST", path: AdminUsersAPI.base + "/{user_id}/identities", operationID: "linkIdentity",
                summary: "Give a user an identity of a provider: with the subject the provider knows the person by, or without one, "
                    + "pre-provisioned until their first sign-in fills it. An identity another user holds is 409 naming that user.",
                scope: .usersWrite, tag: "identities", parameters: [.pathID("user_id", "user")], requestBody: APISchema.ref("NewIdentity"),
                success: APISuccess(status: 201, description: "The identity as linked.", schema: APISchema.ref("Identity"), entityTag: true, location: true),
                conflicts: true
            ) { call in
                let userID = try call.pathID("user_id", "user")
                var body = try APIRequestBody(call.request, keys: ["provider", "subject"])
                let new = NewIdentity(provider: body.string("provider", required: true) ?? "", subject: body.string("subject") ?? "")
                try body.finish()
                let identity = try call.administration.linkIdentity(new, to: userID, by: call.actor)
                return call.json(AdminRepresentation.identity(identity), status: .created, entityTag: true, location: "\(base)/\(identity.id)")
            },
            AdminOperation(
                method: "GET", path: base, operationID: "findIdentities",
                summary: "Find identities by provider and subject (under any issuer): whose is this account at that provider?",
                scope: .usersRead, tag: "identities",
                parameters: [
                    .query("provider", "The provider's slug.", APISchema.string(minLength: 1, maxLength: 64)),
                    .query("subject", "The subject, byte for byte, with `provider`; empty finds the identities pending a first sign-in.", APISchema.string(maxLength: 255)),
                    .limit, .cursor,
                ],
                success: APISuccess(status: 200, description: "A page of identities.", schema: APISchema.ref("IdentityList"))
            ) { call in
                let query = try call.query()
                let subject = query.first("subject")
                if let subject, subject.utf8.count > 255 {
                    throw APIProblem.invalidRequest("subject is at most 255 bytes.", parameter: "subject")
                }
                if subject != nil && query.first("provider") == nil {
                    throw APIProblem.invalidParameterValue("A subject is looked up with its provider.", parameter: "subject")
                }
                let filter = IdentityQuery(provider: try call.text(query, "provider", maximum: 64), subject: subject)
                return call.list(try call.administration.listIdentities(filter, try call.page(query)), AdminRepresentation.identity)
            },
            AdminOperation(
                method: "GET", path: base + "/{identity_id}", operationID: "getIdentity", summary: "Read an identity.",
                scope: .usersRead, tag: "identities", parameters: [.pathID("identity_id", "identity")],
                success: APISuccess(status: 200, description: "The identity.", schema: APISchema.ref("Identity"), entityTag: true)
            ) { call in
                call.json(AdminRepresentation.identity(try call.administration.identity(try call.pathID("identity_id", "identity"))), entityTag: true)
            },
            AdminOperation(
                method: "DELETE", path: base + "/{identity_id}", operationID: "unlinkIdentity",
                summary: "Unlink an identity. Refused with 409 when it is the user's last way to sign in, unless force=true "
                    + "(recorded in the audit log).",
                scope: .usersWrite, tag: "identities",
                parameters: [
                    .pathID("identity_id", "identity"),
                    .query("force", "Remove it even when it leaves the user no way to sign in.", APISchema.boolean), .ifMatch,
                ],
                success: APISuccess(status: 204, description: "Unlinked.", schema: nil), conflicts: true
            ) { call in
                let id = try call.pathID("identity_id", "identity")
                let query = try call.query()
                try call.administration.unlinkIdentity(id, force: try call.boolean(query, "force") ?? false, ifMatch: try call.ifMatch, by: call.actor)
                return call.noContent()
            },
        ]
    }
}
