import Foundation
import HTTP
import JOSE
import Logging

/// A small OpenID Provider for local development, demos and Gatehouse's own tests.
///
/// It signs anyone in as anyone: the authorize page asks who to be. Everything lives in memory
/// (keys generated at start, codes, access tokens) and it listens on loopback only. Start it
/// in-process with `port = 0` for tests:
///
///     var options = DevProviderOptions()
///     options.port = 0
///     options.redirectURIs = ["http://127.0.0.1:\(port)/oidc/dev/callback"]
///     let provider = try DevProvider(options: options, logger: logger)
///     try provider.start()
///     // provider.issuer, provider.port ...
///     provider.shutdown()
public final class DevProvider: Sendable {
    private let options: ValidatedOptions
    private let context: DevProviderContext
    private let server: HTTPServer

    /// Validates `options` and generates the signing keys; nothing is bound until `start()`.
    /// `clock` gives seconds since 1970 (tests move it to expire codes and tokens).
    public init(
        options: DevProviderOptions,
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws(DevProviderError) {
        let validated = try options.validated()
        let keys: DevSigningKeys
        do {
            keys = try DevSigningKeys(algorithm: validated.algorithm)
        } catch {
            throw DevProviderError(code: .keyGeneration, message: "could not generate a \(validated.algorithm) signing key: \(error.message)")
        }
        let issuerCell = IssuerCell()
        var prefix = ""
        if let issuer = validated.issuer {
            issuerCell.set(DevIssuer(issuer.text))
            prefix = issuer.path
            while prefix.hasSuffix("/") { prefix.removeLast() }
        }
        let context = DevProviderContext(
            client: validated.client, keys: keys, issuerCell: issuerCell, pages: DevPages(prefix: prefix), clock: clock, logger: logger,
            tokenDelaySeconds: validated.tokenDelaySeconds, beforeTokenResponse: validated.beforeTokenResponse,
            authTimeReport: validated.authTimeReport)
        let router = Router { routes in DevProviderRoutes(context: context).register(in: &routes) }
        let configuration = HTTPServerConfiguration(listen: [validated.listen], maxConnections: 256)
        self.options = validated
        self.context = context
        self.server = HTTPServer(configuration: configuration, responder: DevResponder(router: router, logger: logger), logger: logger, metrics: HTTPMetrics())
    }

    /// Binds the loopback socket and starts serving. With port 0 the issuer (unless given) is
    /// completed with the port the kernel chose.
    public func start() throws(DevProviderError) {
        do {
            try server.start()
        } catch {
            throw DevProviderError(code: .cannotListen, message: "cannot listen on \(options.listen): \(error)")
        }
        if context.issuerCell.issuer == nil {
            let bound = ListenAddress(host: options.listen.host, port: port)
            context.issuerCell.set(DevIssuer("http://\(bound)"))
        }
    }

    /// Stops accepting, lets requests in flight finish, and closes. Safe to call more than once.
    public func shutdown() {
        server.shutdown()
    }

    /// The port actually bound (after `start()`), else the one asked for.
    public var port: UInt16 { server.boundAddresses.first?.port ?? options.listen.port }

    /// The address listened on, such as `127.0.0.1:9400` or `[::1]:9400`.
    public var listenAddress: ListenAddress { ListenAddress(host: options.listen.host, port: port) }

    /// The issuer identifier, as in discovery and every token's `iss` (known after `start()`).
    public var issuer: String { context.issuerCell.issuer?.identifier ?? "" }

    /// Where the discovery document is served.
    public var discoveryURL: String {
        (context.issuerCell.issuer?.endpoint("/.well-known/openid-configuration")) ?? ""
    }

    /// The path prefix every endpoint is under (the issuer's path; empty by default).
    public var pathPrefix: String { context.pages.prefix }

    public var clientID: String { options.client.id }
    public var algorithm: JWSAlgorithm { options.algorithm }

    /// The kid of the key that signs now.
    public var currentKeyID: String { context.keys.current.keyID }

    /// The kids in the JWKS, current first.
    public var publishedKeyIDs: [String] { context.keys.published.map(\.keyID) }

    /// The `sid` of each sign-in of `subject` at the authorize page, oldest first (the newest
    /// 1024 sign-ins are remembered).
    public func sessionIDs(of subject: String) -> [String] {
        context.sessions.sessionIDs(of: subject)
    }

    /// `token`, signed with the current key as this provider's back-channel logout would send it
    /// (the provider itself never sends one: a relying party's tests and an operator do).
    public func sign(_ token: DevLogoutToken) throws -> String {
        let issuer = try context.issuer().identifier
        let claims = try token.claims(issuer: issuer, clientID: context.client.id, now: context.clock())
        return try context.keys.current.sign(payload: try JSONValue.object(claims).serialized(), type: token.type)
    }

    /// Rotates the signing key, as `POST /rotate-keys` does; returns the new kid.
    @discardableResult
    public func rotateKeys() throws(DevProviderError) -> String {
        do {
            return try context.keys.rotate().keyID
        } catch {
            throw DevProviderError(code: .keyGeneration, message: "could not generate a signing key: \(error.message)")
        }
    }
}

/// The router, with unexpected errors logged (never a token or secret: handlers throw only
/// OpenSSL and random-source failures here).
struct DevResponder: Responder {
    let router: Router
    let logger: Logger

    func respond(to request: Request) -> Response {
        router.respond(to: request, reportingUnexpectedErrorsTo: report)
    }

    func answer(_ request: Request) -> Answer {
        router.answer(request, reportingUnexpectedErrorsTo: report)
    }

    private var report: @Sendable (any Error, Request) -> Void {
        { [logger] error, request in
            logger.error("unexpected error", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
        }
    }
}
