import HTTP

/// Sessions: a user's live ones, and revoking them (seen by forward-auth at the next request).
enum AdminSessionsAPI {
    static var operations: [AdminOperation] {
        [
            AdminOperation(
                method: "GET", path: AdminUsersAPI.base + "/{user_id}/sessions", operationID: "listUserSessions",
                summary: "List a user's live sessions, oldest first.", scope: .usersRead, tag: "sessions",
                parameters: [.pathID("user_id", "user"), .limit, .cursor],
                success: APISuccess(status: 200, description: "A page of sessions.", schema: APISchema.ref("SessionList"))
            ) { call in
                let id = try call.pathID("user_id", "user")
                let query = try call.query()
                return call.list(try call.administration.listSessions(ofUser: id, try call.page(query)), AdminRepresentation.session)
            },
            AdminOperation(
                method: "DELETE", path: AdminUsersAPI.base + "/{user_id}/sessions", operationID: "revokeUserSessions",
                summary: "Revoke every session of a user; forward-auth refuses them from the next request on.",
                scope: .sessionsWrite, tag: "sessions", parameters: [.pathID("user_id", "user")],
                success: APISuccess(status: 200, description: "How many live sessions were revoked.", schema: APISchema.ref("Revoked"))
            ) { call in
                let count = try call.administration.revokeSessions(ofUser: try call.pathID("user_id", "user"), by: call.actor)
                return call.json(.object(["revoked": .int(count)]))
            },
            AdminOperation(
                method: "DELETE", path: "/api/v1/admin/sessions/{session_id}", operationID: "revokeSession",
                summary: "Revoke one session; forward-auth refuses it from the next request on.",
                scope: .sessionsWrite, tag: "sessions", parameters: [.pathID("session_id", "session")],
                success: APISuccess(status: 204, description: "Revoked (or revoked already).", schema: nil)
            ) { call in
                try call.administration.revokeSession(try call.pathID("session_id", "session"), by: call.actor)
                return call.noContent()
            },
        ]
    }
}
