import HTTP
import Store

/// `/api/v1/admin/users`: list, create, read, change, deactivate, delete, set a password.
enum AdminUsersAPI {
    static let base = "/api/v1/admin/users"

    static var operations: [AdminOperation] {
        [
            AdminOperation(
                method: "GET", path: base, operationID: "listUsers", summary: "List users, oldest first, optionally narrowed.",
                scope: .usersRead, tag: "users",
                parameters: [
                    .query("q", "Text in the username, email or display name.", APISchema.string(minLength: 1, maxLength: 255)),
                    .query("email", "Users holding this address, compared by its matching key.", APISchema.string(minLength: 1, maxLength: 254)),
                    .query("active", "Only active (true) or deactivated (false) users.", APISchema.boolean),
                    .query("provider", "Users with an identity of this provider.", APISchema.string(minLength: 1, maxLength: 64)),
                    .limit, .cursor,
                ],
                success: APISuccess(status: 200, description: "A page of users.", schema: APISchema.ref("UserList"))
            ) { call in
                let query = try call.query()
                let filter = UserQuery(
                    text: try call.text(query, "q"), email: try call.text(query, "email", maximum: 254),
                    active: try call.boolean(query, "active"), provider: try call.text(query, "provider", maximum: 64)
                )
                return call.list(try call.administration.listUsers(filter, try call.page(query)), AdminRepresentation.user)
            },
            AdminOperation(
                method: "POST", path: base, operationID: "createUser",
                summary: "Create a user: with a password (given, or generated and shown once) or none, and with identities, "
                    + "pending their first sign-in when given without a subject.",
                scope: .usersWrite, tag: "users", requestBody: APISchema.ref("NewUser"),
                success: APISuccess(status: 201, description: "The user as created.", schema: APISchema.ref("CreatedUser"), location: true),
                conflicts: true
            ) { call in
                var body = try APIRequestBody(
                    call.request, keys: ["username", "email", "email_verified", "display_name", "password", "generate_password", "identities"]
                )
                var new = NewUser(username: body.string("username", required: true) ?? "")
                new.email = body.change("email").value
                new.emailVerified = body.bool("email_verified") ?? false
                new.displayName = body.change("display_name").value
                let password = body.string("password")
                let generate = body.bool("generate_password") ?? false
                new.password = password.map { .given($0) } ?? (generate ? .generated : .none)
                if password != nil && generate {
                    body.reject("generate_password", "give a password or ask for one to be generated, not both")
                }
                for item in body.objects("identities", keys: ["provider", "subject"], most: NewUser.mostIdentities) ?? [] {
                    var item = item
                    new.identities.append(NewIdentity(provider: item.string("provider", required: true) ?? "", subject: item.string("subject") ?? ""))
                    body.absorb(item)
                }
                try body.finish(call.administration.problems(in: new))
                let created = try call.administration.createUser(new, by: call.actor)
                return call.json(AdminRepresentation.createdUser(created), status: .created, location: "\(base)/\(created.user.id)")
            },
            AdminOperation(
                method: "GET", path: base + "/{user_id}", operationID: "getUser", summary: "Read a user.",
                scope: .usersRead, tag: "users", parameters: [.pathID("user_id", "user")],
                success: APISuccess(status: 200, description: "The user.", schema: APISchema.ref("User"), entityTag: true)
            ) { call in
                call.json(AdminRepresentation.user(try call.administration.user(try call.pathID("user_id", "user"))), entityTag: true)
            },
            AdminOperation(
                method: "PATCH", path: base + "/{user_id}", operationID: "updateUser",
                summary: "Change a user's username, email (with its verification), display name or state. "
                    + "A new email is unverified unless the change says otherwise; active false deactivates the user.",
                scope: .usersWrite, tag: "users", parameters: [.pathID("user_id", "user"), .ifMatch],
                requestBody: APISchema.ref("UserChanges"),
                success: APISuccess(status: 200, description: "The user as changed.", schema: APISchema.ref("User"), entityTag: true),
                conflicts: true
            ) { call in
                let id = try call.pathID("user_id", "user")
                var body = try APIRequestBody(
                    call.request, keys: ["username", "username_verified", "email", "email_verified", "email_verified_by", "display_name", "active"]
                )
                var changes = UserChanges()
                changes.username = body.string("username")
                changes.usernameVerified = body.bool("username_verified")
                changes.email = body.change("email")
                changes.emailVerified = body.bool("email_verified")
                changes.emailVerifiedBy = body.string("email_verified_by")
                changes.displayName = body.change("display_name")
                changes.active = body.bool("active")
                try body.finish(call.administration.problems(in: changes))
                let user = try call.administration.updateUser(id, changes, ifMatch: try call.ifMatch, by: call.actor)
                return call.json(AdminRepresentation.user(user), entityTag: true)
            },
            AdminOperation(
                method: "DELETE", path: base + "/{user_id}", operationID: "deleteUser",
                summary: "Delete a user with its identities and sessions (revoked at once); the audit trail keeps its entries.",
                scope: .usersWrite, tag: "users", parameters: [.pathID("user_id", "user"), .ifMatch],
                success: APISuccess(status: 204, description: "Deleted.", schema: nil)
            ) { call in
                try call.administration.deleteUser(try call.pathID("user_id", "user"), ifMatch: try call.ifMatch, by: call.actor)
                return call.noContent()
            },
            AdminOperation(
                method: "POST", path: base + "/{user_id}/deactivate", operationID: "deactivateUser",
                summary: "Deactivate a user: no sign-in by any method, and every session revoked at once.",
                scope: .usersWrite, tag: "users", parameters: [.pathID("user_id", "user")],
                success: APISuccess(status: 200, description: "The user, deactivated.", schema: APISchema.ref("User"), entityTag: true)
            ) { call in
                call.json(AdminRepresentation.user(try call.administration.deactivateUser(try call.pathID("user_id", "user"), by: call.actor)), entityTag: true)
            },
            AdminOperation(
                method: "PUT", path: base + "/{user_id}/password", operationID: "setUserPassword",
                summary: "Set a user's local password, or remove it with null.",
                scope: .usersWrite, tag: "users", parameters: [.pathID("user_id", "user")], requestBody: APISchema.ref("NewPassword"),
                success: APISuccess(status: 200, description: "The user.", schema: APISchema.ref("User"), entityTag: true),
                conflicts: true
            ) { call in
                let id = try call.pathID("user_id", "user")
                var body = try APIRequestBody(call.request, keys: ["password"])
                if !body.contains("password") { body.reject("password", "is required (null removes the password)") }
                let password = body.change("password")
                try body.finish()
                let user = try call.administration.setPassword(id, to: password.value, by: call.actor)
                return call.json(AdminRepresentation.user(user), entityTag: true)
            },
        ]
    }
}

extension MemberChange {
    /// The value it sets, or nil (for a new resource, removing and keeping both mean none).
    var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }
}
