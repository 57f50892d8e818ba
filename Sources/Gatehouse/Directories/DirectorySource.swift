import Directory

/// A configured directory with its client: what sign-in and synchronisation both act on.
struct DirectorySource: Sendable {
    let config: DirectoryConfig
    let client: DirectoryClient
    /// The groups forward-auth requires somewhere: kept first when a person has more groups
    /// than a session keeps (`SessionGroups.kept`).
    let requiredGroups: Set<String>

    /// One source per configured directory, in file order. The settings were validated with
    /// the configuration, so the client accepts them.
    static func all(_ configs: [DirectoryConfig], requiredGroups: Set<String>) throws(DirectoryError) -> [DirectorySource] {
        var sources: [DirectorySource] = []
        for config in configs {
            sources.append(DirectorySource(config: config, client: try DirectoryClient(settings: config.settings), requiredGroups: requiredGroups))
        }
        return sources
    }
}
