import Foundation
import JSON

/// Gatehouse's whole configuration: one JSON file, with `GATEHOUSE_*` environment overrides
/// applied on top. See docs/configuration.md for every key.
///
/// Loading is strict: unknown keys, wrong types, out-of-range numbers and malformed values
/// are errors, and all of them are reported at once, each with its JSON path.
public struct GatehouseConfig: Sendable, Equatable {
    public var server: ServerConfig
    public var database: DatabaseConfig
    public var sessions: SessionsConfig
    public var logging: LoggingConfig
    public var login: LoginConfig
    /// `accounts`: reserved usernames.
    public var accounts: AccountsConfig
    /// `forward_auth`: protected applications and the groups claim.
    public var forwardAuth: ForwardAuthConfig
    /// `providers`: the OpenID Providers people may sign in through, in file order.
    public var providers: [ProviderConfig]
    /// `directories`: the LDAP and Active Directory servers people may sign in to, in file order.
    public var directories: [DirectoryConfig]
    /// What the sign-in page's password field checks, in turn (`login.password_order`).
    public var passwordSources: [PasswordSource]
    /// Things that work but are probably not meant; printed by `check-config` and at start.
    public var warnings: [ConfigProblem]

    public init(
        server: ServerConfig,
        database: DatabaseConfig = DatabaseConfig(),
        sessions: SessionsConfig = SessionsConfig(),
        logging: LoggingConfig = LoggingConfig(),
        login: LoginConfig = LoginConfig(),
        accounts: AccountsConfig = AccountsConfig(),
        forwardAuth: ForwardAuthConfig = ForwardAuthConfig(),
        providers: [ProviderConfig] = [],
        directories: [DirectoryConfig] = [],
        passwordSources: [PasswordSource]? = nil,
        warnings: [ConfigProblem] = []
    ) {
        self.server = server
        self.database = database
        self.sessions = sessions
        self.logging = logging
        self.login = login
        self.accounts = accounts
        self.forwardAuth = forwardAuth
        self.providers = providers
        self.directories = directories
        self.passwordSources = passwordSources ?? (login.localPasswords ? [.local] : []) + directories.map { .directory($0.slug) }
        self.warnings = warnings
    }

    /// The session cookie's name as sent: `__Host-` + name over https with no cookie domain
    /// (the browser then guarantees Secure, Path=/ and no Domain), `__Secure-` + name over
    /// https with a cookie domain (which `__Host-` forbids), the bare name over plain http.
    public var sessionCookieName: String {
        guard server.isHTTPS else { return sessions.cookieName }
        return (sessions.cookieDomain == nil ? "__Host-" : "__Secure-") + sessions.cookieName
    }

    /// `GATEHOUSE_*` variables that are not overrides and so are never reported as unknown:
    /// `GATEHOUSE_CONFIG` names the configuration file for the command line.
    public static let reservedEnvironmentNames: Set<String> = ["GATEHOUSE_CONFIG"]

    /// The configuration file's size cap; a real one is a few kilobytes.
    static let maximumFileBytes = 1024 * 1024

    /// Reads and validates the file at `path`, then applies overrides from `environment`.
    public static func load(path: String, environment: [String: String]) -> Result<GatehouseConfig, ConfigErrors> {
        switch ConfigFile.contents(atPath: path, maximumBytes: maximumFileBytes) {
        case .success(let data):
            return parse(data: data, environment: environment)
        case .failure(let failure):
            return .failure(ConfigErrors(problems: [ConfigProblem(path: "$", message: "cannot read configuration file \(path): \(failure)")]))
        }
    }

    /// Validates a configuration document and applies overrides from `environment` (pass the
    /// process environment; it is never read here).
    public static func parse(data: Data, environment: [String: String]) -> Result<GatehouseConfig, ConfigErrors> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(data), options: .configuration)
        } catch {
            return .failure(ConfigErrors(problems: [ConfigProblem(path: "$", message: error.description)]))
        }
        let decoder = ConfigDecoder(environment: environment)
        let root = decoder.object(document, at: .root, keys: ["server", "database", "sessions", "logging", "login", "accounts", "forward_auth", "providers", "directories"])
        let server = ServerConfig.decode(root.section("server", keys: ServerConfig.keys))
        let database = DatabaseConfig.decode(root.section("database", keys: DatabaseConfig.keys))
        let sessions = SessionsConfig.decode(root.section("sessions", keys: SessionsConfig.keys), publicURL: server?.publicURL)
        let logging = LoggingConfig.decode(root.section("logging", keys: LoggingConfig.keys))
        let loginSection = root.section("login", keys: LoginConfig.keys)
        let login = LoginConfig.decode(loginSection)
        let accounts = AccountsConfig.decode(root.section("accounts", keys: AccountsConfig.keys))
        let forwardAuth = ForwardAuthConfig.decode(
            root.section("forward_auth", keys: ForwardAuthConfig.keys), publicURL: server?.publicURL, sessions: sessions
        )
        let providersAt = ProviderConfig.decodeAll(root)
        let directoriesAt = DirectoryConfig.decodeAll(root, providerSlugs: Set(providersAt.map(\.provider.slug)))
        ProviderPolicyConfig.checkAcceptedVerifiers(
            providersAt.map { ProviderPolicyConfig.PolicySource(slug: $0.provider.slug, policy: $0.provider.policy, path: $0.path) }
                + directoriesAt.map { ProviderPolicyConfig.PolicySource(slug: $0.directory.slug, policy: $0.directory.policy, path: $0.path) },
            decoder: decoder
        )
        if let publicURL = server?.publicURL { ProviderConfig.warnOfLoopbackIssuers(providersAt, publicURL: publicURL, decoder: decoder) }
        ProviderConfig.warnOfGroupsFromSeveralTenants(providersAt, requiredGroups: forwardAuth.requiredGroups, decoder: decoder)
        let providers = providersAt.map(\.provider)
        let directories = directoriesAt.map(\.directory)
        let passwordSources = LoginConfig.passwordSources(loginSection, login: login, directories: directories)
        decoder.reportUnknownOverrides(reserved: reservedEnvironmentNames)

        guard decoder.errors.isEmpty, let server else {
            return .failure(ConfigErrors(problems: decoder.errors, warnings: decoder.warnings))
        }
        return .success(GatehouseConfig(
            server: server, database: database, sessions: sessions, logging: logging, login: login, accounts: accounts, forwardAuth: forwardAuth, providers: providers, directories: directories,
            passwordSources: passwordSources, warnings: decoder.warnings
        ))
    }
}
