import Directory

/// A configured directory with its client: what sign-in and synchronisation both act on.
struct DirectorySource: Sendable {
    let config: DirectoryConfig
    let client: DirectoryClient

    /// One source per configured directory, in file order. The settings were validated with
    /// the configuration, so the client accepts them.
    static func all(_ configs: [DirectoryConfig]) throws(DirectoryError) -> [DirectorySource] {
        var sources: [DirectorySource] = []
        for config in configs { sources.append(DirectorySource(config: config, client: try DirectoryClient(settings: config.settings))) }
        return sources
    }
}
