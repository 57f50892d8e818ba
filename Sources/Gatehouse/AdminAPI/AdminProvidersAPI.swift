import HTTP

/// Providers, read-only, and moving a provider's identities to its new issuer.
enum AdminProvidersAPI {
    static let base = "/api/v1/admin/providers"
    /// The provider's slug: one of the configured ones, which the document lists.
    static func slug(_ providers: [String]) -> APIParameter {
        APIParameter(name: "provider", location: .path, description: "The provider's slug.", schema: APISchema.enumeration(providers))
    }

    static func operations(providers: [String]) -> [AdminOperation] {
        [
            AdminOperation(
                method: "GET", path: base, operationID: "listProviders",
                summary: "Every configured provider: its policy, the linking guard's verdict, discovery and key-set status, identity counts.",
                scope: .providersRead, tag: "providers",
                success: APISuccess(status: 200, description: "The providers, in configuration order.", schema: APISchema.ref("ProviderList"))
            ) { call in
                call.json(.object(["items": .array(try call.administration.providers().map(AdminRepresentation.provider))]))
            },
            AdminOperation(
                method: "GET", path: base + "/{provider}", operationID: "getProvider", summary: "One configured provider.",
                scope: .providersRead, tag: "providers", parameters: [slug(providers)],
                success: APISuccess(status: 200, description: "The provider.", schema: APISchema.ref("Provider"))
            ) { call in
                call.json(AdminRepresentation.provider(try call.administration.providerOverview(call.request.pathParameters["provider"] ?? "")))
            },
            AdminOperation(
                method: "POST", path: base + "/{provider}/rekey-issuer", operationID: "rekeyIssuer",
                summary: "Move the provider's identities from its old issuer to its new one in one audited transaction, "
                    + "or with dry_run report what would move. Refused with 409, changing nothing, when the new issuer has one of the subjects.",
                scope: .admin, tag: "providers", parameters: [slug(providers)], requestBody: APISchema.ref("RekeyRequest"),
                success: APISuccess(status: 200, description: "What moved, or would move.", schema: APISchema.ref("Rekey")),
                conflicts: true
            ) { call in
                var body = try APIRequestBody(call.request, keys: ["from", "to", "dry_run"])
                let from = body.string("from", required: true) ?? ""
                let to = body.string("to", required: true) ?? ""
                let dryRun = body.bool("dry_run") ?? false
                try body.finish()
                let report = try call.administration.rekeyIssuer(
                    provider: call.request.pathParameters["provider"] ?? "", from: from, to: to, dryRun: dryRun, by: call.actor
                )
                return call.json(AdminRepresentation.rekey(report))
            },
        ]
    }
}
