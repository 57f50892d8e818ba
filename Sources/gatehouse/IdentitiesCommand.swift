import ArgumentParser
import Gatehouse

/// `gatehouse identities`: the accounts at providers linked to users.
struct Identities: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, link and unlink identities, or move a provider's identities to its new issuer.",
        subcommands: [List.self, Add.self, Remove.self, RekeyIssuer.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List identities: of one user, or find one by provider and subject.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "Only this user's identities.") var user: Int64?
        @Option(name: .long, help: "Only identities of this provider.") var provider: String?
        @Option(name: .long, help: "Only identities with this subject (\"\" for those pending a first sign-in).") var subject: String?

        func run() throws {
            let query = IdentityQuery(userID: user, provider: provider, subject: subject)
            throw ExitCode(AdminCommands.listIdentities(configPath: options.path, query: query, output: output.output))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link an identity of a provider to a user; without --subject it waits for the person's first sign-in."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "The user's id.") var user: Int64
        @Option(name: .long, help: "The provider's slug.") var provider: String
        @Option(name: .long, help: "The subject the provider knows the person by.") var subject: String = ""

        func run() throws {
            throw ExitCode(AdminCommands.addIdentity(
                configPath: options.path, userID: user, identity: NewIdentity(provider: provider, subject: subject), output: output.output
            ))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlink an identity; refused when it is the user's last way to sign in, unless --force.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The identity's id.") var id: Int64
        @Flag(name: .long, help: "Remove it even when it leaves the user no way to sign in (recorded in the audit log).") var force = false

        func run() throws {
            throw ExitCode(AdminCommands.removeIdentity(configPath: options.path, id: id, force: force, output: output.output))
        }
    }

    struct RekeyIssuer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rekey-issuer",
            abstract: "Move a provider's identities from its old issuer to its new one, in one recorded transaction."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "The provider's slug.") var provider: String
        @Option(name: .long, help: "The issuer the identities were linked under.") var from: String
        @Option(name: .long, help: "The provider's new issuer.") var to: String
        @Flag(name: .long, help: "Only report what would move.") var dryRun = false

        func run() throws {
            throw ExitCode(AdminCommands.rekeyIssuer(
                configPath: options.path, provider: provider, from: from, to: to, dryRun: dryRun, output: output.output
            ))
        }
    }
}
