import ArgumentParser
import Gatehouse

/// `gatehouse users`: local accounts, made by an operator.
struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create local users and set their passwords.",
        subcommands: [Create.self, SetPassword.self, UsersList.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user with a local password (generated and printed once unless --password-stdin)."
        )

        @OptionGroup var options: ConfigOption

        @Option(name: .long, help: "The username (unique, compared ignoring ASCII case).")
        var username: String

        @Option(name: .long, help: "The e-mail address.")
        var email: String

        @Option(name: .long, help: "The name shown to people.")
        var displayName: String?

        @Flag(name: .long, help: "Mark the address as verified (only a verified address can ever be a linking target).")
        var emailVerified = false

        @Flag(name: .long, help: "Read the password from standard input (one line) instead of generating one.")
        var passwordStdin = false

        func run() throws {
            throw ExitCode(UserAdministration.createUser(
                configPath: options.path, username: username, email: email, displayName: displayName,
                emailVerified: emailVerified, password: passwordStdin ? .standardInput : .generated
            ))
        }
    }

    struct SetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set a user's local password, read from standard input (one line)."
        )

        @OptionGroup var options: ConfigOption

        @Option(name: .long, help: "The user's username.")
        var username: String

        func run() throws {
            throw ExitCode(UserAdministration.setPassword(configPath: options.path, username: username))
        }
    }
}
