import ArgumentParser
import Foundation
import Gatehouse

/// `gatehouse`: the command line. Each subcommand parses its options and calls into the
/// `Gatehouse` target, which owns all behaviour.
@main
struct GatehouseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "A self-hosted OpenID Connect login server.",
        version: GatehouseVersion.current,
        subcommands: [Serve.self, Migrate.self, CheckConfig.self, Version.self]
    )
}

/// The `--config` option every subcommand shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Path to the JSON configuration file (default: $GATEHOUSE_CONFIG or config.json).")
    var config: String?

    var path: String {
        config ?? ProcessInfo.processInfo.environment["GATEHOUSE_CONFIG"] ?? "config.json"
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve HTTP until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Do not apply pending migrations at start; refuse to start if any are pending.")
    var noMigrate = false

    func run() throws {
        let code = Runtime.serve(configPath: options.path, applyMigrations: !noMigrate)
        throw ExitCode(code)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        throw ExitCode(Runtime.migrate(configPath: options.path))
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration, print every problem with its JSON path, and exit non-zero on errors."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        throw ExitCode(Runtime.checkConfig(configPath: options.path))
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("gatehouse \(GatehouseVersion.current)")
    }
}
