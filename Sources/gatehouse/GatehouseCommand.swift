import ArgumentParser
import DevProvider
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
        subcommands: [
            Serve.self, Migrate.self, CheckConfig.self, Users.self, Identities.self, Sessions.self, Tokens.self, Providers.self, Directories.self, Events.self,
            SimulateLogin.self, DevIdP.self, Version.self,
        ]
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

struct DevIdP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-idp",
        abstract: "Run a development OpenID Provider on loopback. It signs anyone in as anyone: never use it in production."
    )

    @Option(name: .long, help: "Loopback address to listen on (127.0.0.1, ::1); anything else is refused.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on; 0 picks a free one and prints it.")
    var port: UInt16 = 9400

    @Option(name: .long, help: "Issuer URL (default: http://HOST:PORT with the bound port).")
    var issuer: String?

    @Option(name: .long, help: "The registered client's id.")
    var clientID = "gatehouse-dev"

    @Option(name: .long, help: "The registered client's secret.")
    var clientSecret = "dev-secret"

    @Option(name: .long, help: "A registered redirect URI, matched exactly; repeat for more (default: http://127.0.0.1:8080/oidc/dev/callback).")
    var redirectURI: [String] = []

    @Option(name: .long, help: "ID-token signing algorithm: RS256, ES256, EdDSA or PS256.")
    var algorithm = "RS256"

    @Option(name: .long, help: "Seconds the token endpoint waits before answering, to try a provider that hangs (default 0).")
    var tokenDelay: Double = 0

    @Option(name: .long, help: "A client authentication method the token endpoint lists and accepts: client_secret_basic, client_secret_post or private_key_jwt; repeat for more (default: the first two).")
    var tokenAuthMethod: [String] = []

    @Option(name: .long, help: "A file holding the client's public keys as a JWK Set, for private_key_jwt.")
    var clientJwks: String?

    func run() throws {
        var options = DevProviderOptions()
        options.host = host
        options.port = port
        options.issuer = issuer
        options.clientID = clientID
        options.clientSecret = clientSecret
        if !redirectURI.isEmpty { options.redirectURIs = redirectURI }
        options.algorithm = algorithm
        options.tokenDelaySeconds = tokenDelay
        if !tokenAuthMethod.isEmpty { options.tokenEndpointAuthMethods = tokenAuthMethod }
        if let clientJwks {
            guard let text = try? String(contentsOfFile: clientJwks, encoding: .utf8) else {
                FileHandle.standardError.write(Data("cannot read --client-jwks \(clientJwks)\n".utf8))
                throw ExitCode(2)
            }
            options.clientJWKS = text
        }
        throw ExitCode(DevProviderRuntime.run(options: options))
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("gatehouse \(GatehouseVersion.current)")
    }
}
