import Directory
import Logging

extension Administration {
    /// Synchronises one directory now (`gatehouse directories sync`, the admin API): the same
    /// run the schedule makes, with its brakes; `dryRun` reports what it would change and
    /// changes nothing.
    public func syncDirectory(_ slug: String, dryRun: Bool, by actor: AdministrationActor) throws -> DirectorySyncReport {
        guard let directory = config.directories.first(where: { $0.slug == slug }) else {
            throw AdministrationError.notFound("directory \(slug)")
        }
        let sync: DirectorySync
        if let running = directorySyncs[slug] {
            sync = running
        } else {
            let client: DirectoryClient
            do { client = try DirectoryClient(settings: directory.settings) } catch {
                throw AdministrationError.invalid("directory", error.message)
            }
            sync = DirectorySync(
                source: DirectorySource(config: directory, client: client, requiredGroups: config.forwardAuth.requiredGroups), database: database,
                logger: Logger(label: "gatehouse.directories"), clock: clock
            )
        }
        do {
            return try sync.run(dryRun: dryRun, actor: actor.name)
        } catch let error as DirectorySyncError where error.isShutdown {
            throw AdministrationError.unavailable(error.message)
        } catch let error as DirectorySyncError {
            throw AdministrationError.conflict(.init("sync_running", error.message))
        } catch let error as DirectoryError {
            throw AdministrationError.unavailable("the directory did not answer: \(error.message)")
        }
    }

    /// Every configured directory with its last synchronisation in this process (nil before
    /// the first, and always for the command line).
    public func directories() -> [(config: DirectoryConfig, lastSync: DirectorySyncReport?)] {
        config.directories.map { ($0, directorySyncs[$0.slug]?.last) }
    }
}
