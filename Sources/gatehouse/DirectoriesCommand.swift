import ArgumentParser
import Gatehouse

/// `gatehouse directories`: the LDAP and Active Directory sources.
struct Directories: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synchronise a directory's people and groups now.",
        subcommands: [Sync.self]
    )

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a directory's users and groups and reconcile Gatehouse with them (deactivating, never deleting)."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "The directory's slug.") var directory: String
        @Flag(name: .customLong("dry-run"), help: "Report what would change, and change nothing.") var dryRun = false

        func run() throws {
            throw ExitCode(AdminCommands.syncDirectory(configPath: options.path, slug: directory, dryRun: dryRun, output: output.output))
        }
    }
}
