import ArgumentParser
import Gatehouse

/// `gatehouse simulate-login`: what would happen if this person signed in?
struct SimulateLogin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-login",
        abstract: "Print the account-linking decision for a set of claims against the current database; writes nothing."
    )

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "The provider's slug.")
    var provider: String

    @Option(name: .long, help: "A JSON file holding the claims (at least \"sub\"; \"iss\" defaults to the provider's issuer).")
    var claims: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        throw ExitCode(Runtime.simulateLogin(configPath: options.path, provider: provider, claimsPath: claims, json: json))
    }
}

/// `gatehouse users list`.
struct UsersList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users.")

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        throw ExitCode(Runtime.listUsers(configPath: options.path, json: json))
    }
}

/// `gatehouse identities`: the external accounts linked to users.
struct Identities: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List linked identities, or move them to a provider's new issuer.",
        subcommands: [List.self, RekeyIssuer.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List identities, of one user or of all.")

        @OptionGroup var options: ConfigOption

        @Option(name: .long, help: "Only this user's identities.")
        var user: Int64?

        @Flag(name: .long, help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            throw ExitCode(Runtime.listIdentities(configPath: options.path, userID: user, json: json))
        }
    }

    struct RekeyIssuer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rekey-issuer",
            abstract: "Move a provider's identities from its old issuer to its new one, in one recorded transaction."
        )

        @OptionGroup var options: ConfigOption

        @Option(name: .long, help: "The provider's slug.")
        var provider: String

        @Option(name: .long, help: "The issuer the identities were linked under.")
        var from: String

        @Option(name: .long, help: "The provider's new issuer.")
        var to: String

        func run() throws {
            throw ExitCode(Runtime.rekeyIssuer(configPath: options.path, provider: provider, from: from, to: to))
        }
    }
}
