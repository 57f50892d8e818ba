import ArgumentParser
import Gatehouse

/// `gatehouse sessions`: who is signed in, and ending it.
struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a user's sessions and revoke them.",
        subcommands: [List.self, Revoke.self, RevokeAll.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's live sessions.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "The user's id.") var user: Int64

        func run() throws {
            throw ExitCode(AdminCommands.listSessions(configPath: options.path, userID: user, output: output.output))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one session.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The session's id.") var id: Int64

        func run() throws {
            throw ExitCode(AdminCommands.revokeSession(configPath: options.path, id: id, output: output.output))
        }
    }

    struct RevokeAll: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-all", abstract: "Revoke every session of a user.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "The user's id.") var user: Int64

        func run() throws {
            throw ExitCode(AdminCommands.revokeSessions(configPath: options.path, userID: user, output: output.output))
        }
    }
}
