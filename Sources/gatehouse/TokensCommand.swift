import ArgumentParser
import Gatehouse

/// `gatehouse tokens`: API tokens for the admin API.
struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API tokens for the admin API.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret once. Scopes: "
                + APIScope.allCases.map { "\($0.rawValue) (\($0.meaning))" }.joined(separator: "; ") + "."
        )
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Option(name: .long, help: "A name people recognise (letters, digits, '.', '_', '-'); the audit log names it.") var name: String
        @Option(name: .long, parsing: .upToNextOption, help: "The scopes it grants (one or more).") var scope: [String]
        @Option(name: .long, help: "How long it lives: seconds, or a number with s, m, h or d (90d). Default: no expiry.") var expiresIn: String?

        func run() throws {
            var life: Int64?
            if let expiresIn {
                guard let seconds = AdminCommands.parseDuration(expiresIn) else {
                    throw ValidationError("--expires-in takes seconds, or a number with s, m, h or d")
                }
                life = seconds
            }
            throw ExitCode(AdminCommands.createToken(
                configPath: options.path, token: NewToken(name: name, scopes: scope, expiresIn: life), output: output.output
            ))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (never their secrets).")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Flag(name: .long, help: "Include revoked tokens.") var all = false

        func run() throws {
            throw ExitCode(AdminCommands.listTokens(configPath: options.path, includingRevoked: all, output: output.output))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token, by id or by --name; its next request is refused.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOption
        @Argument(help: "The token's id.") var id: Int64?
        @Option(name: .long, help: "The live token's name.") var name: String?

        func validate() throws {
            if (id == nil) == (name == nil) { throw ValidationError("name the token by id or by --name, not both") }
        }

        func run() throws {
            throw ExitCode(AdminCommands.revokeToken(configPath: options.path, id: id, name: name, output: output.output))
        }
    }
}
