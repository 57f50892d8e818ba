import ArgumentParser
import Gatehouse

/// `gatehouse simulate-login`: what would happen if this person signed in?
struct SimulateLogin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-login",
        abstract: "Print the account-linking decision for a set of claims against the current database; writes nothing."
    )
    @OptionGroup var options: ConfigOption
    @OptionGroup var output: OutputOption
    @Option(name: .long, help: "The provider's slug.") var provider: String
    @Option(name: .long, help: "A JSON file holding the claims (at least \"sub\"; \"iss\" defaults to the provider's issuer).") var claims: String

    func run() throws {
        throw ExitCode(AdminCommands.simulateLogin(configPath: options.path, provider: provider, claimsPath: claims, output: output.output))
    }
}

/// `gatehouse events`: the audit trail, or the link decisions, newest first.
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the audit trail (or, with --decisions, the link decisions), newest first.")
    @OptionGroup var options: ConfigOption
    @OptionGroup var output: OutputOption
    @Option(name: .long, help: "Only this event type (or, with --decisions, this decision).") var type: String?
    @Option(name: .long, help: "Only this user's.") var user: Int64?
    @Option(name: .long, help: "Only this provider's.") var provider: String?
    @Option(name: .long, help: "From this unix time on.") var since: Int64?
    @Option(name: .long, help: "Before this unix time.") var until: Int64?
    @Option(name: .long, help: "How many (1 to 1000).") var limit: Int = 50
    @Flag(name: .long, help: "The link decisions instead of the audit trail.") var decisions = false

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit is 1 to 1000") }
    }

    func run() throws {
        let query = TrailQuery(event: type, userID: user, provider: provider, since: since, until: until)
        throw ExitCode(AdminCommands.listEvents(configPath: options.path, query: query, decisions: decisions, limit: limit, output: output.output))
    }
}

/// `gatehouse providers`: the configured providers as an operator sees them.
struct Providers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the configured providers, their linking guard's verdict and identity counts.")
    @OptionGroup var options: ConfigOption
    @OptionGroup var output: OutputOption

    func run() throws {
        throw ExitCode(AdminCommands.listProviders(configPath: options.path, output: output.output))
    }
}
