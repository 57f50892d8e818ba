import HTTP
import JOSE

/// What `gatehouse dev-idp` is started with. Every field has the default the command line uses,
/// so a test or `make run` only sets what it needs (usually `port = 0` and the redirect URIs).
public struct DevProviderOptions: Sendable {
    /// Where to listen: a loopback address only (`127.0.0.1`, any `127.x.y.z`, `::1`).
    public var host = "127.0.0.1"
    /// The port; 0 takes any free one, reported by `DevProvider.port` and in the banner.
    public var port: UInt16 = 9400
    /// The issuer URL; nil means `http://HOST:PORT` with the port actually bound. A path
    /// (`http://127.0.0.1:9400/realms/dev`) moves every endpoint under it, as real providers do.
    public var issuer: String? = nil
    public var clientID = "gatehouse-dev"
    public var clientSecret = "dev-secret"
    /// The registered redirect URIs; `/authorize` and `/token` require one of them exactly.
    public var redirectURIs = ["http://127.0.0.1:8080/oidc/dev/callback"]
    /// `--token-auth-method`: the client authentication methods the token endpoint lists in
    /// discovery and accepts; any other is refused with `invalid_client`.
    public var tokenEndpointAuthMethods = ["client_secret_basic", "client_secret_post"]
    /// `--client-jwks`: the client's public keys as a JWK Set (JSON text), which
    /// `private_key_jwt` client assertions must be signed with.
    public var clientJWKS: String? = nil
    /// The ID-token signing algorithm, one of `supportedAlgorithms`.
    public var algorithm = "RS256"
    /// `--token-delay`: seconds the token endpoint waits before it answers, to see how a relying
    /// party copes with a provider that hangs (0, the default, answers at once).
    public var tokenDelaySeconds: Double = 0
    /// Called by the token endpoint before it answers, on its own thread: a test holds the
    /// endpoint as long as it needs (a provider that hangs until the test says so).
    public var beforeTokenResponse: (@Sendable () -> Void)? = nil
    /// What the ID token's `auth_time` says, so a relying party's rule for a recent sign-in can
    /// be seen to hold against providers that answer from a session they remembered.
    public var authTimeReport = AuthTimeReport.signInMoment

    /// The client authentication methods the token endpoint knows.
    public static let knownAuthMethods = ["client_secret_basic", "client_secret_post", "private_key_jwt"]

    /// The algorithms the provider signs ID tokens with.
    public static let supportedAlgorithms: [JWSAlgorithm] = [.rs256, .es256, .edDSA, .ps256]

    public init() {}

    /// Checks every option and returns them ready to use, or the first problem found.
    func validated() throws(DevProviderError) -> ValidatedOptions {
        guard let address = IPAddress(host) else {
            throw .nonLoopbackHost("--host \(host) is not an IP address; use a loopback address such as 127.0.0.1 or ::1")
        }
        guard Self.isLoopback(address) else {
            throw .nonLoopbackHost(
                "--host \(host) is not a loopback address. The development provider signs anyone in as anyone, "
                    + "so it only listens on loopback (127.0.0.1 or ::1)")
        }
        var issuerURL: HTTPURL?
        if let issuer {
            guard let parsed = HTTPURL(issuer), !parsed.hasQuery else {
                throw .invalidOption("--issuer \(issuer) must be an absolute http or https URL without query or fragment")
            }
            // The path becomes a route prefix, so it is kept to characters routes take literally.
            guard parsed.path.utf8.allSatisfy({ Self.isPlainPathByte($0) }), !parsed.path.contains("//") else {
                throw .invalidOption("--issuer \(issuer) may only have a plain path (letters, digits, - . _ ~ and /)")
            }
            issuerURL = parsed
        }
        guard !clientID.isEmpty else { throw .invalidOption("--client-id must not be empty") }
        guard !clientSecret.isEmpty else { throw .invalidOption("--client-secret must not be empty") }
        guard !redirectURIs.isEmpty else { throw .invalidOption("at least one --redirect-uri is required") }
        var redirects: [HTTPURL] = []
        for text in redirectURIs {
            guard let url = HTTPURL(text) else {
                throw .invalidOption("--redirect-uri \(text) must be an absolute http or https URL without fragment or user-info")
            }
            redirects.append(url)
        }
        guard let algorithm = JWSAlgorithm(rawValue: algorithm), Self.supportedAlgorithms.contains(algorithm) else {
            throw DevProviderError(
                code: .unsupportedAlgorithm,
                message: "--algorithm \(self.algorithm) is not one of " + Self.supportedAlgorithms.map(\.rawValue).joined(separator: ", "))
        }
        guard !tokenEndpointAuthMethods.isEmpty, tokenEndpointAuthMethods.allSatisfy(Self.knownAuthMethods.contains) else {
            throw .invalidOption("--token-auth-method must be one or more of " + Self.knownAuthMethods.joined(separator: ", "))
        }
        var clientKeys: JSONWebKeySet?
        if let clientJWKS {
            do { clientKeys = try JSONWebKeySet(json: Array(clientJWKS.utf8)) } catch {
                throw .invalidOption("--client-jwks is not a JWK Set: \(error.message)")
            }
        }
        if tokenEndpointAuthMethods.contains("private_key_jwt") && clientKeys == nil {
            throw .invalidOption("private_key_jwt needs the client's public keys (--client-jwks)")
        }
        guard tokenDelaySeconds >= 0, tokenDelaySeconds <= 600 else {
            throw .invalidOption("--token-delay must be from 0 to 600 seconds")
        }
        return ValidatedOptions(
            listen: ListenAddress(host: address.description, port: port),
            issuer: issuerURL,
            client: DevClient(
                id: clientID, secret: clientSecret, redirectURIs: redirects, authMethods: tokenEndpointAuthMethods, publicKeys: clientKeys
            ),
            algorithm: algorithm,
            tokenDelaySeconds: tokenDelaySeconds,
            beforeTokenResponse: beforeTokenResponse,
            authTimeReport: authTimeReport
        )
    }

    private static func isPlainPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }

    /// 127.0.0.0/8, ::1, and 127.0.0.0/8 written as IPv4-mapped IPv6.
    static func isLoopback(_ address: IPAddress) -> Bool {
        if let mapped = address.unmappedIPv4 { return isLoopback(mapped) }
        switch address.family {
        case .ipv4: return address.bytes[0] == 127
        case .ipv6: return address.bytes == [UInt8](repeating: 0, count: 15) + [1]
        }
    }
}

/// What a provider's ID token says about when the person signed in there (`auth_time`).
public enum AuthTimeReport: Sendable, Equatable {
    /// The moment the authorize form was submitted: every sign-in is a fresh one.
    case signInMoment
    /// A sign-in the provider remembered from `at`, as providers with single sign-on report
    /// when they answer from their own session without asking anything. A request with
    /// `prompt=login` asks for a fresh sign-in, and gets one, as at real providers.
    case remembered(at: Int64)
    /// No `auth_time` at all, as GitHub's OAuth and Entra ID (unless asked) send none.
    case none
}

/// The options after validation.
struct ValidatedOptions: Sendable {
    let listen: ListenAddress
    /// Nil when the issuer is derived from the bound address.
    let issuer: HTTPURL?
    let client: DevClient
    let algorithm: JWSAlgorithm
    let tokenDelaySeconds: Double
    let beforeTokenResponse: (@Sendable () -> Void)?
    let authTimeReport: AuthTimeReport
}

/// The one client registered with the provider.
struct DevClient: Sendable {
    let id: String
    let secret: String
    let redirectURIs: [HTTPURL]
    /// The client authentication methods the token endpoint accepts from it.
    var authMethods = ["client_secret_basic", "client_secret_post"]
    /// Its public keys, for `private_key_jwt`.
    var publicKeys: JSONWebKeySet? = nil

    /// The registered redirect URI equal to `text`, byte for byte (OAuth 2.0 Security BCP 4.1.1:
    /// exact matching, no prefixes, no normalisation).
    func redirectURI(exactly text: String) -> HTTPURL? {
        redirectURIs.first { $0.text == text }
    }

    /// The origins of the registered redirect URIs: where a post-logout redirect may go.
    var origins: Set<String> { Set(redirectURIs.map(\.origin)) }
}
