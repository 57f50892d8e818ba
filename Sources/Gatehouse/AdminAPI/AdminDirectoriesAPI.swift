import HTTP

/// Directories: each one with its last synchronisation, and a synchronisation on demand.
/// Documented and routed only when directories are configured: the document promises only what
/// this server can answer (a sync of no directory has no status to reach).
enum AdminDirectoriesAPI {
    static let base = "/api/v1/admin/directories"

    static func operations(directories: [String]) -> [AdminOperation] {
        guard !directories.isEmpty else { return [] }
        let slug = APIParameter(
            name: "directory", location: .path, description: "The directory's slug.", schema: APISchema.enumeration(directories)
        )
        return [
            AdminOperation(
                method: "GET", path: base, operationID: "listDirectories",
                summary: "Every configured directory, with its last synchronisation in this process.",
                scope: .providersRead, tag: "directories",
                success: APISuccess(status: 200, description: "The directories, in configuration order.", schema: APISchema.ref("DirectoryList"))
            ) { call in
                call.json(.object(["items": .array(call.administration.directories().map { AdminRepresentation.directory($0.config, lastSync: $0.lastSync) })]))
            },
            AdminOperation(
                method: "POST", path: base + "/{directory}/sync", operationID: "syncDirectory",
                summary: "Read the directory's people and groups now and reconcile (deactivating, never deleting), "
                    + "or with dry_run report what would change. A brake (nothing read, or too many deactivations) stops it and says so in stopped.",
                scope: .admin, tag: "directories", parameters: [slug], requestBody: APISchema.ref("DirectorySyncRequest"),
                success: APISuccess(status: 200, description: "What the run read and did.", schema: APISchema.ref("DirectorySync")),
                conflicts: true
            ) { call in
                var body = try APIRequestBody(call.request, keys: ["dry_run"])
                let dryRun = body.bool("dry_run") ?? false
                try body.finish()
                let report = try call.administration.syncDirectory(
                    call.request.pathParameters["directory"] ?? "", dryRun: dryRun, by: call.actor
                )
                return call.json(AdminRepresentation.directorySync(report))
            },
        ]
    }
}
