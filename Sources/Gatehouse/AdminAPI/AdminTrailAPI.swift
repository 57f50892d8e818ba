import HTTP
import Store

/// The audit trail and the link decisions, newest first; and the linking simulator.
enum AdminTrailAPI {
    /// The last second of the year 9999: any later time is a mistake.
    static let latestTime: Int64 = 253_402_300_799

    static var trailParameters: [APIParameter] {
        [
            .query("user_id", "Only entries about this user.", APISchema.id),
            .query("provider", "Only entries about this provider.", APISchema.string(minLength: 1, maxLength: 64)),
            .query("since", "From this unix time on.", APISchema.integer(minimum: 0, maximum: Int(latestTime))),
            .query("until", "Before this unix time.", APISchema.integer(minimum: 0, maximum: Int(latestTime))),
            .limit, .cursor,
        ]
    }

    static var operations: [AdminOperation] {
        [
            AdminOperation(
                method: "GET", path: "/api/v1/admin/events", operationID: "listAuditEvents",
                summary: "The audit trail, newest first, narrowed by type, user, provider and time.",
                scope: .eventsRead, tag: "events",
                parameters: [.query("type", "Only this event type (sign_in.success, user.updated ...).", APISchema.string(minLength: 1, maxLength: 64))]
                    + trailParameters,
                success: APISuccess(status: 200, description: "A page of audit events.", schema: APISchema.ref("AuditEventList"))
            ) { call in
                let query = try call.query()
                let filter = try trailQuery(call, query, typeParameter: "type")
                return call.list(try call.administration.auditEvents(filter, try call.page(query)), AdminRepresentation.auditEntry)
            },
            AdminOperation(
                method: "GET", path: "/api/v1/admin/link-decisions", operationID: "listLinkDecisions",
                summary: "The account-linking decisions, newest first: which rule fired for which sign-in, and why.",
                scope: .eventsRead, tag: "events",
                parameters: [.query("decision", "Only this decision.", APISchema.enumeration(LinkDecisionEntry.decisions))]
                    + trailParameters,
                success: APISuccess(status: 200, description: "A page of link decisions.", schema: APISchema.ref("LinkDecisionList"))
            ) { call in
                let query = try call.query()
                let filter = try trailQuery(call, query, typeParameter: "decision")
                if let decision = filter.event, !LinkDecisionEntry.decisions.contains(decision) {
                    throw APIProblem.invalidRequest("decision is sign_in, fill_subject, link, create or deny.", parameter: "decision")
                }
                return call.list(try call.administration.linkDecisions(filter, try call.page(query)), AdminRepresentation.linkDecision)
            },
            AdminOperation(
                method: "POST", path: "/api/v1/admin/simulate-login", operationID: "simulateLogin",
                summary: "The decision a sign-in with these claims through this provider would get now, with the rule and the "
                    + "explanation `gatehouse simulate-login` prints. Writes nothing.",
                scope: .usersRead, tag: "users", requestBody: APISchema.ref("SimulationRequest"),
                success: APISuccess(status: 200, description: "The decision and why.", schema: APISchema.ref("Simulation"))
            ) { call in
                var body = try APIRequestBody(call.request, keys: ["provider", "claims"])
                let provider = body.string("provider", required: true) ?? ""
                let claims = body.jsonObject("claims", required: true) ?? [:]
                try body.finish()
                if !call.administration.config.providers.contains(where: { $0.slug == provider }) {
                    throw AdministrationError.invalid("provider", "not a configured provider")
                }
                return call.json(AdminRepresentation.simulation(try call.administration.simulateLogin(provider: provider, claims: claims)))
            },
        ]
    }

    private static func trailQuery(_ call: AdminCall, _ query: QueryParameters, typeParameter: String) throws -> TrailQuery {
        let since = try call.integer(query, "since", in: 0...latestTime)
        let until = try call.integer(query, "until", in: 0...latestTime)
        return TrailQuery(
            event: try call.text(query, typeParameter, maximum: 64), userID: try call.integer(query, "user_id", in: 1...Int64.max),
            provider: try call.text(query, "provider", maximum: 64), since: since, until: until
        )
    }
}
