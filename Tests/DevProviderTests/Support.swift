import Crypto
import Foundation
import HTTP
import JOSE
import Logging
import Synchronization
import Testing
import TestSupport
@testable import DevProvider

typealias JSON = JSONValue

/// RFC 7636 Appendix B: a verifier and its S256 challenge, computed independently of our code.
enum PKCEVector {
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
}

/// A clock tests move by hand, so codes expire without sleeping.
final class TestClock: Sendable {
    private let seconds: Atomic<Int64>
    init(_ start: Int64 = 1_800_000_000) { seconds = Atomic(start) }
    var now: Int64 { seconds.load(ordering: .relaxed) }
    func advance(by delta: Int64) { seconds.add(delta, ordering: .relaxed) }
}

/// A provider on an ephemeral loopback port, with a test clock, and a small client for it.
final class RunningDevProvider {
    static let redirectURI = "http://127.0.0.1:8080/oidc/dev/callback"
    static let secondRedirectURI = "http://localhost:9999/other/callback?tenant=a"

    let provider: DevProvider
    let clock = TestClock()
    let options: DevProviderOptions

    init(_ configure: (inout DevProviderOptions) -> Void = { _ in }) throws {
        var options = DevProviderOptions()
        options.port = 0
        options.redirectURIs = [Self.redirectURI, Self.secondRedirectURI]
        configure(&options)
        self.options = options
        var logger = Logger(label: "dev-idp-test")
        logger.logLevel = .critical
        let clock = self.clock
        provider = try DevProvider(options: options, logger: logger, clock: { clock.now })
        try provider.start()
    }

    deinit { provider.shutdown() }

    var port: UInt16 { provider.port }

    // MARK: HTTP

    /// Sends one request on a fresh connection and reads the response.
    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> TestClient.Response {
        let client = try TestClient(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        try client.send(Array((head + "\r\n").utf8) + body)
        return try client.readResponse(forHead: method == "HEAD")
    }

    func get(_ path: String, headers: [(String, String)] = []) throws -> TestClient.Response {
        try send("GET", path, headers: headers)
    }

    func postForm(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) throws -> TestClient.Response {
        try send("POST", path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Array(formEncoded(fields).utf8))
    }

    func formEncoded(_ fields: [(String, String)]) -> String {
        fields.map { "\(HTTPURL.percentEncoded($0.0))=\(HTTPURL.percentEncoded($0.1))" }.joined(separator: "&")
    }

    // MARK: The code flow

    /// The parameters of a valid authorization request; `overrides` replace or (with nil) drop some.
    func authorizationParameters(_ overrides: [String: String?] = [:]) -> [(String, String)] {
        var parameters: [(String, String)] = [
            ("client_id", provider.clientID), ("redirect_uri", Self.redirectURI), ("response_type", "code"),
            ("scope", "openid email profile"), ("state", "state-123"), ("nonce", "nonce-456"),
            ("code_challenge", PKCEVector.challenge), ("code_challenge_method", "S256"),
        ]
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            if let index = parameters.firstIndex(where: { $0.0 == name }) {
                if let value { parameters[index].1 = value } else { parameters.remove(at: index) }
            } else if let value {
                parameters.append((name, value))
            }
        }
        return parameters
    }

    func authorizePath(_ overrides: [String: String?] = [:]) -> String {
        pathPrefix + "/authorize?" + formEncoded(authorizationParameters(overrides))
    }

    var pathPrefix: String { provider.pathPrefix }

    /// What the person types on the authorize page.
    struct Person {
        var subject = "alice"
        var email = "alice@example.com"
        var emailVerified = true
        var name = "Alice Example"
        var preferredUsername = "alice"
        var fault = DevFault.none

        var fields: [(String, String)] {
            var fields = [("subject", subject), ("email", email), ("name", name), ("preferred_username", preferredUsername), ("fault", fault.rawValue)]
            if emailVerified { fields.append(("email_verified", "true")) }
            return fields
        }
    }

    /// Shows the authorize page, submits it as `person`, and returns the 303 to the relying party.
    func submitSignIn(_ person: Person = Person(), request overrides: [String: String?] = [:]) throws -> TestClient.Response {
        let page = try get(authorizePath(overrides))
        try #require(page.status == 200, "authorize page: \(page.status) \(page.text)")
        return try postForm(pathPrefix + "/authorize", hiddenFields(in: page.text) + person.fields)
    }

    /// Signs in and returns the callback's query parameters (code, state, iss).
    func signIn(_ person: Person = Person(), request overrides: [String: String?] = [:]) throws -> QueryParameters {
        let response = try submitSignIn(person, request: overrides)
        try #require(response.status == 303, "sign-in: \(response.status) \(response.text)")
        return try callbackParameters(response)
    }

    /// The query of a redirect to the relying party, after checking it goes where it should.
    func callbackParameters(_ response: TestClient.Response, redirectURI: String = redirectURI) throws -> QueryParameters {
        let location = try #require(response.header("Location"))
        try #require(location.hasPrefix(redirectURI + "?"), "redirected to \(location)")
        return try QueryParameters(parsing: String(location.dropFirst(redirectURI.count + 1)))
    }

    enum ClientAuth {
        case basic(id: String, secret: String)
        case post(id: String, secret: String)
        case none
    }

    static let rightBasic = ClientAuth.basic(id: "gatehouse-dev", secret: "dev-secret")

    /// Exchanges a code at the token endpoint.
    func exchange(
        code: String, verifier: String = PKCEVector.verifier, redirectURI: String = redirectURI,
        auth: ClientAuth = rightBasic, extra: [(String, String)] = []
    ) throws -> TestClient.Response {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)] + extra
        var headers: [(String, String)] = []
        switch auth {
        case .basic(let id, let secret):
            // RFC 6749 section 2.3.1: form-urlencode each part, then base64.
            let pair = "\(HTTPURL.percentEncoded(id)):\(HTTPURL.percentEncoded(secret))"
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case .post(let id, let secret):
            fields += [("client_id", id), ("client_secret", secret)]
        case .none:
            break
        }
        return try postForm(pathPrefix + "/token", fields, headers: headers)
    }

    /// Signs in and exchanges the code; returns the token response's members.
    func tokens(_ person: Person = Person(), request overrides: [String: String?] = [:]) throws -> [String: JSON] {
        let callback = try signIn(person, request: overrides)
        let response = try exchange(code: try #require(callback.first("code")))
        try #require(response.status == 200, "token: \(response.status) \(response.text)")
        return try #require(try JSON.parse(response.body).objectValue)
    }

    func keySet() throws -> JSONWebKeySet {
        let response = try get(pathPrefix + "/jwks")
        try #require(response.status == 200)
        return try JSONWebKeySet(json: response.body)
    }

    /// Verifies `token` against the provider's JWKS, as a relying party would, and returns its claims.
    func verifiedClaims(_ token: String) throws -> (header: JOSEHeader, claims: [String: JSON]) {
        let verified = try JWSVerifier(allowedAlgorithms: [provider.algorithm]).verify(try UnverifiedJWS.parse(token), keys: try keySet())
        return (verified.header, try #require(try JSON.parse(verified.payload).objectValue))
    }

    /// The claims of a token without checking its signature (for the tokens that must not verify).
    static func unverifiedClaims(_ token: String) throws -> [String: JSON] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        return try #require(try JSON.parse(try Base64URL.decode(parts[1])).objectValue)
    }
}

/// The hidden inputs of a page, so the test submits what the page carries rather than what
/// the test thinks it should.
func hiddenFields(in html: String) -> [(String, String)] {
    var fields: [(String, String)] = []
    var rest = html[...]
    while let start = rest.range(of: "<input type=\"hidden\" name=\"") {
        rest = rest[start.upperBound...]
        guard let nameEnd = rest.range(of: "\" value=\"") else { break }
        let name = rest[..<nameEnd.lowerBound]
        rest = rest[nameEnd.upperBound...]
        guard let valueEnd = rest.range(of: "\">") else { break }
        fields.append((unescapeHTML(String(name)), unescapeHTML(String(rest[..<valueEnd.lowerBound]))))
        rest = rest[valueEnd.upperBound...]
    }
    return fields
}

func unescapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&amp;", with: "&")
}

/// The members of a JSON object body.
func jsonObject(_ response: TestClient.Response) throws -> [String: JSON] {
    try #require(try JSON.parse(response.body).objectValue, "not a JSON object: \(response.text)")
}
