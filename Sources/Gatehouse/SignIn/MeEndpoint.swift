import HTTP
import Logging
import Store

/// `GET /api/v1/me`: who the session belongs to, how they can sign in, and the session itself,
/// saying which attributes are verified (and by whom, for the email): the same facts
/// forward-auth decides what to tell applications by.
/// Without a usable session: 401 as problem+json, never a redirect (this is an API).
///
/// Answered on the connection's own loop, as forward-auth is: it only reads (WAL readers never
/// wait for the writer), and its session touch is skipped rather than waited for when another
/// write holds the writer. Applications read it after every sign-in, and a hop to an executor
/// and back cost more than the answer.
struct MeEndpoint: Sendable {
    let database: Database
    let sessions: SessionManager
    let clock: @Sendable () -> Int64

    func register(in routes: inout RouterBuilder) {
        routes.get("/api/v1/me") { [self] request in try respond(to: request) }
    }

    func respond(to request: Request) throws -> Response {
        let now = clock()
        guard let session = try sessions.current(request, now: now, touching: .onlyIfIdle), let userID = session.record.userID else {
            return unauthorized("Sign in first: this request carries no valid session.", request)
        }
        let (user, identities) = try database.read { connection in
            (try UserRepository(connection).find(id: userID), try IdentityRepository(connection).list(userID: userID))
        }
        guard let user else {
            return unauthorized("The session's user no longer exists.", request)
        }
        let userJSON: [String: JSONValue] = [
            "id": .int(Int(user.id)),
            "username": .string(user.username),
            "username_verified": .bool(user.usernameVerified),
            "username_verified_by": Self.optional(user.usernameVerifiedBy?.stored),
            "email": Self.optional(user.email),
            "email_verified": .bool(user.emailVerified),
            "email_verified_by": Self.optional(user.emailVerifiedBy?.stored),
            "display_name": Self.optional(user.displayName),
        ]
        let identitiesJSON: [JSONValue] = identities.map(Self.identityJSON)
        let sessionJSON: [String: JSONValue] = [
            "created_at": .int(Int(session.record.createdAt)),
            "expires_at": .int(Int(min(session.record.idleExpiresAt, session.record.absoluteExpiresAt))),
            "provider": Self.optional(session.record.provider),
        ]
        let body: JSONValue = .object(["user": .object(userJSON), "identities": .array(identitiesJSON), "session": .object(sessionJSON)])
        var response = try Response.json(body)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    private static func identityJSON(_ identity: IdentityRecord) -> JSONValue {
        let members: [String: JSONValue] = [
            "id": .int(Int(identity.id)),
            "provider": .string(identity.provider),
            "issuer": .string(identity.issuer),
            "subject": .string(identity.subject),
            "email": optional(identity.email),
            "email_verified": .bool(identity.emailVerified),
            "linked_at": .int(Int(identity.linkedAt)),
            "last_login_at": identity.lastLoginAt.map { .int(Int($0)) } ?? .null,
        ]
        return .object(members)
    }

    private static func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    private func unauthorized(_ detail: String, _ request: Request) -> Response {
        Response.problem(HTTPError.unauthorized.with(detail: detail).problemDetails(for: request))
    }
}
