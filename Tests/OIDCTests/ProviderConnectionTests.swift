import JOSE
import Testing
@testable import OIDC

/// `ProviderConnection` itself, driven through the transport protocol by an in-memory provider:
/// what is fetched when, what the token request carries, and how a callback completes.
@Suite("Provider connection")
struct ProviderConnectionTests {
    static let t0 = Fixture.now

    @Test("key rotation right after a routine key-set fetch: the first token signed with the new key is accepted")
    func rotationRightAfterRoutineFetch() throws {
        let (old, new) = (try JWSSigningKey.generate(.es256, keyID: "old"), try JWSSigningKey.generate(.es256, keyID: "new"))
        let provider = InMemoryProvider(signer: old)
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        #expect(provider.requests(to: "/jwks").count == 1)
        provider.state.withLock { $0.published = [new]; $0.signer = new }
        // One second after the routine fetch: the unknown kid makes one fresh fetch.
        let completed = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + 1)
        #expect(completed.subject == InMemoryProvider.subject)
        #expect(provider.requests(to: "/jwks").count == 2)
    }

    @Test("tokens with made-up kids make at most one key-set fetch per interval")
    func unknownKeyIDFlood() throws {
        let (real, ghost) = (try JWSSigningKey.generate(.es256, keyID: "real"), try JWSSigningKey.generate(.es256, keyID: "ghost"))
        let provider = InMemoryProvider(signer: real)
        let connection = ProviderConnection(settings: InMemoryProvider.settings { $0.jwksMinimumRefetchIntervalSeconds = 5 }, transport: provider)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        provider.state.withLock { $0.signer = ghost }  // signs with a key the provider never publishes
        for second in Int64(1)...5 {
            #expect(throws: CodeFlowFailure.self) {
                try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + second)
            }
        }
        // The first unknown kid fetched (at t0 + 1); the next four were within its interval.
        #expect(provider.requests(to: "/jwks").count == 2)
        _ = try? connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + 6)
        #expect(provider.requests(to: "/jwks").count == 3)
    }

    @Test("the metadata at hand is never fetched: none before the first fetch or once a refresh is due, the document between")
    func discoveryAtHandNeverFetches() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        let connection = ProviderConnection(settings: InMemoryProvider.settings { $0.discoveryRefreshSeconds = 3600 }, transport: provider)
        let discovery = "/.well-known/openid-configuration"
        #expect(connection.discoveryAtHand(now: Self.t0) == nil)
        #expect(provider.requests(to: discovery).isEmpty)
        _ = try connection.discovery(now: Self.t0)
        #expect(connection.discoveryAtHand(now: Self.t0 + 3599)?.authorizationEndpoint.text == InMemoryProvider.issuer + "/authorize")
        #expect(connection.discoveryAtHand(now: Self.t0 + 3600) == nil, "due for its refresh: the caller that may wait fetches it")
        #expect(provider.requests(to: discovery).count == 1)
    }

    static let discovery = "/.well-known/openid-configuration"

    /// A connection to a provider whose discovery document answers 503.
    static func providerWithDiscoveryDown() throws -> (InMemoryProvider, ProviderConnection) {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        provider.state.withLock { $0.failing = [discovery] }
        return (provider, ProviderConnection(settings: InMemoryProvider.settings(), transport: provider))
    }

    /// Review finding: with nothing fetched yet, every request fetched again, backoff or not, so
    /// anonymous sign-in starts (or junk logout tokens) made a fetch each from a provider that is
    /// down. Within the backoff the last failure is the answer; after it, one fetch.
    @Test("a provider that is down is not asked again for its metadata before the backoff ends")
    func discoveryFailureBacksOff() throws {
        let (provider, connection) = try Self.providerWithDiscoveryDown()
        for second in Int64(0)..<5 {
            #expect(throws: OIDCError.self) { try connection.discovery(now: Self.t0 + second) }
        }
        #expect(provider.requests(to: Self.discovery).count == 1, "the first backoff is five seconds")
        provider.state.withLock { $0.failing = [] }
        #expect(try connection.discovery(now: Self.t0 + 5).issuer == InMemoryProvider.issuer)
        #expect(provider.requests(to: Self.discovery).count == 2)
    }

    /// Review finding: with the backoff grown to minutes, a provider back from a long outage
    /// stayed refused that long. With nothing at hand the failure stands for 30 s at most.
    @Test("with nothing at hand, a grown backoff still tries again 30 seconds after the last failure")
    func discoveryRetriedWithinThirtySeconds() throws {
        let (provider, connection) = try Self.providerWithDiscoveryDown()
        var now = Self.t0
        for _ in 0..<6 {  // backoffs of 5, 10, 20, 40, 80 and 160 seconds
            _ = try? connection.discovery(now: now)
            now += 300
        }
        let failedAt = now - 300
        let fetches = provider.requests(to: Self.discovery).count
        #expect(throws: OIDCError.self) { try connection.discovery(now: failedAt + 29) }
        #expect(provider.requests(to: Self.discovery).count == fetches, "the last failure still stands")
        provider.state.withLock { $0.failing = [] }
        #expect(try connection.discovery(now: failedAt + 30).issuer == InMemoryProvider.issuer)
    }

    @Test("a key set that could not be fetched is not fetched again before the backoff ends")
    func keySetFailureBacksOff() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        provider.state.withLock { $0.failing = ["/jwks"] }
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        for second in Int64(0)..<5 {
            #expect(throws: CodeFlowFailure.self) {
                try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + second)
            }
        }
        #expect(provider.requests(to: "/jwks").count == 1)
        provider.state.withLock { $0.failing = [] }
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + 5)
        #expect(provider.requests(to: "/jwks").count == 2)
    }

    @Test("a provider that lists only client_secret_post gets the secret in the body, and no Basic header")
    func postChosenFromDiscovery() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256), authMethods: ["client_secret_post"])
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        let token = try #require(provider.requests(to: "/token").first)
        #expect(token.header("Authorization") == nil)
        #expect(formFields(token)["client_secret"] == Fixture.clientSecret)
        #expect(try connection.clientAuthenticationMethod(now: Self.t0) == .clientSecretPost)
    }

    @Test("client_secret_basic when the provider lists it or lists nothing", arguments: [nil, ["client_secret_post", "client_secret_basic"]] as [[String]?])
    func basicChosenFromDiscovery(_ methods: [String]?) throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256), authMethods: methods)
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        let token = try #require(provider.requests(to: "/token").first)
        #expect(token.header("Authorization")?.hasPrefix("Basic ") == true)
        #expect(formFields(token)["client_secret"] == nil)
    }

    @Test("a configured method is used even when discovery does not list it, and the operator is warned")
    func configuredMethodWins() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256), authMethods: ["client_secret_post"])
        let settings = InMemoryProvider.settings { $0.tokenEndpointAuthMethod = .clientSecretBasic }
        let connection = ProviderConnection(settings: settings, transport: provider)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        #expect(try #require(provider.requests(to: "/token").first).header("Authorization")?.hasPrefix("Basic ") == true)
        #expect(ClientAuthentication.unadvertisedWarning(for: settings, advertised: ["client_secret_post"])?.contains("client_secret_basic") == true)
        #expect(ClientAuthentication.unadvertisedWarning(for: settings, advertised: nil) == nil)
        #expect(ClientAuthentication.unadvertisedWarning(for: InMemoryProvider.settings(), advertised: ["client_secret_post"]) == nil)
    }

    @Test("no usable client authentication: a configuration error, and no token request is sent")
    func noUsableMethod() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256), authMethods: ["private_key_jwt", "tls_client_auth"])
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        #expect(errorCode { try connection.clientAuthenticationMethod(now: Self.t0) } == .invalidConfiguration)
        let failure = try refusal(connection, InMemoryProvider.callback)
        guard case .providerUnavailable(let why) = failure else { Issue.record("refused as \(String(describing: failure))"); return }
        #expect(why.code == .invalidConfiguration)
        #expect(why.message.contains("private_key_jwt, tls_client_auth"))
        #expect(provider.requests(to: "/token").isEmpty)
    }

    @Test("private_key_jwt: a signed assertion for the token endpoint, a fresh jti each time, no secret")
    func privateKeyJWT() throws {
        let clientKey = try JWSSigningKey.generate(.es256, keyID: "client-key-1")
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256), authMethods: ["client_secret_basic", "private_key_jwt"])
        let settings = InMemoryProvider.settings { $0.clientSecret = ""; $0.clientAssertionKey = clientKey }
        try settings.validate(plainHTTPAllowedForLoopback: false)
        let connection = ProviderConnection(settings: settings, transport: provider)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + 1)
        let keys = try JSONWebKeySet(json: Array("{\"keys\":[\(String(decoding: try clientKey.publicJWK.serialized(), as: UTF8.self))]}".utf8))
        var jtis: [String] = []
        for (index, request) in provider.requests(to: "/token").enumerated() {
            let fields = formFields(request)
            #expect(request.header("Authorization") == nil)
            #expect(fields["client_secret"] == nil)
            #expect(fields["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            let assertion = try UnverifiedJWS.parse(try #require(fields["client_assertion"]))
            let verified = try JWSVerifier(allowedAlgorithms: [.es256]).verify(assertion, keys: keys)
            #expect(verified.header.keyID == "client-key-1")
            let claims = try JSONObjectReader(bytes: verified.payload, maximumBytes: 4096, code: .malformedIDToken, what: "assertion")
            #expect(try claims.optionalString("iss") == Fixture.clientID)
            #expect(try claims.optionalString("sub") == Fixture.clientID)
            #expect(try claims.optionalString("aud") == InMemoryProvider.tokenEndpoint)
            #expect(claims.members["iat"] == .number(String(Self.t0 + Int64(index))))
            #expect(claims.members["exp"] == .number(String(Self.t0 + Int64(index) + ClientAuthentication.assertionLifetimeSeconds)))
            jtis.append(try #require(try claims.optionalString("jti")))
        }
        #expect(jtis.count == 2)
        #expect(Set(jtis).count == 2, "each assertion has its own jti")
    }

    @Test("a callback reads discovery once, and not at all while it is fresh")
    func oneDiscoveryRead() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        let completed = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        #expect(provider.requests(to: "/.well-known/openid-configuration").count == 1)
        _ = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0 + 1)
        #expect(provider.requests(to: "/.well-known/openid-configuration").count == 1)
        guard case .merged = completed.userinfo else { Issue.record("userinfo was \(completed.userinfo)"); return }
        #expect(completed.claims["name"] == .string("Ada Lovelace"))
        #expect(completed.idTokenForSignOut == nil, "this provider has no end_session_endpoint")
    }

    @Test("userinfo about another subject is discarded; the ID token's claims stand")
    func userinfoOfAnotherSubject() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        provider.state.withLock { $0.userinfoSubject = "someone-else" }
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        let completed = try connection.completeCallback(InMemoryProvider.callback, pending: InMemoryProvider.pending, now: Self.t0)
        guard case .discarded(let why) = completed.userinfo else { Issue.record("userinfo was \(completed.userinfo)"); return }
        #expect(why.code == .userinfoSubjectMismatch)
        #expect(completed.claims["name"] == nil)
        #expect(completed.claims["email"] == .string("ada@example.com"))
    }

    @Test("an iss parameter naming another issuer is refused before the code is exchanged")
    func issuerParameter() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        let parameters = try CallbackParameters.parse(pairs: [("code", "c"), ("state", "s"), ("iss", "https://evil.example")])
        guard case .issuerParameter = try refusal(connection, parameters) else { Issue.record("not refused for its iss parameter"); return }
        #expect(provider.requests(to: "/token").isEmpty)
    }

    @Test("a wrong nonce is an ID token refusal")
    func wrongNonce() throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        provider.state.withLock { $0.nonce = "another-nonce-value-that-is-long-enough-000" }
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: provider)
        guard case .idTokenRejected(let why) = try refusal(connection, InMemoryProvider.callback) else { Issue.record("not refused for its ID token"); return }
        #expect(why.code == .nonceMismatch)
    }

    /// How `completeCallback` refused `parameters` at t0; nil (and a recorded issue) when it did not.
    private func refusal(_ connection: ProviderConnection, _ parameters: CallbackParameters) throws -> CodeFlowFailure? {
        do throws(CodeFlowFailure) {
            _ = try connection.completeCallback(parameters, pending: InMemoryProvider.pending, now: Self.t0)
            Issue.record("the callback completed")
            return nil
        } catch {
            return error
        }
    }
}
