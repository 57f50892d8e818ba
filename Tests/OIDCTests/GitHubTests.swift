import JOSE
import Testing
@testable import OIDC

/// A transport that answers every request with `answer`.
struct ClosureTransport: ProviderTransport {
    let answer: @Sendable (ProviderRequest) -> ProviderResponse
    func send(_ request: ProviderRequest) throws(ProviderTransportError) -> ProviderResponse { answer(request) }
}

@Suite("GitHub")
struct GitHubTests {
    /// Why the token exchange of a callback through `connection` was refused; nil, with an
    /// issue recorded, when the callback completed or was refused at another step.
    static func tokenRefusal(_ connection: ProviderConnection) throws -> OIDCError? {
        let parameters = try InMemoryProvider.callback
        do throws(CodeFlowFailure) {
            _ = try connection.completeCallback(parameters, pending: InMemoryProvider.pending, now: Fixture.now)
            Issue.record("the callback completed")
        } catch {
            guard case .tokenExchange(let why) = error else {
                Issue.record("refused as \(error)")
                return nil
            }
            return why
        }
        return nil
    }

    @Test("github.com's API is api.github.com; an Enterprise Server's is under /api/v3 of its URL")
    func endpoints() {
        let dotCom = GitHubEndpoints(baseURL: "https://github.com/")
        #expect(dotCom.web == "https://github.com")
        #expect(dotCom.token == "https://github.com/login/oauth/access_token")
        #expect(dotCom.emails == "https://api.github.com/user/emails")
        let enterprise = GitHubEndpoints(baseURL: "https://git.corp.example")
        #expect(enterprise.user == "https://git.corp.example/api/v3/user")
        #expect(enterprise.authorization == "https://git.corp.example/login/oauth/authorize")
    }

    static func emails(_ json: String, status: Int = 200) -> ProviderResponse {
        ProviderResponse(status: status, body: Array(json.utf8))
    }

    @Test("the primary address and GitHub's verified flag; nothing when the list is not one clear answer", arguments: [
        (#"[{"email":"a@x.example","primary":false,"verified":true},{"email":"b@x.example","primary":true,"verified":true}]"#, 200, "b@x.example", true),
        (#"[{"email":"b@x.example","primary":true}]"#, 200, "b@x.example", false),
        (#"[{"email":"b@x.example","primary":true,"verified":"true"}]"#, 200, "b@x.example", false),
        (#"[{"email":"a@x.example","primary":true,"verified":true},{"email":"b@x.example","primary":true,"verified":true}]"#, 200, nil, false),
        (#"[{"email":"a@x.example","primary":false,"verified":true}]"#, 200, nil, false),
        (#"{"message":"Not Found"}"#, 404, nil, false),
        (#"{"email":"b@x.example","primary":true,"verified":true}"#, 200, nil, false),
    ] as [(String, Int, String?, Bool)])
    func primaryEmail(_ json: String, _ status: Int, _ address: String?, _ verified: Bool) {
        let primary = GitHubAccount.primaryEmail(Self.emails(json, status: status))
        #expect(primary?.address == address)
        #expect((primary?.verified ?? false) == verified)
    }

    @Test("a refused code answered 200 with an error member is a token-endpoint refusal, not an empty token")
    func refusedCodeWithStatus200() throws {
        let settings = InMemoryProvider.settings {
            $0.issuer = "https://github.com"
            $0.scopes = ["read:user"]
            $0.quirks.gitHub = GitHubEndpoints(baseURL: "https://github.com")
        }
        let transport = ClosureTransport { _ in ProviderResponse(status: 200, body: Array(#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}"#.utf8)) }
        let connection = ProviderConnection(settings: settings, transport: transport)
        let why = try Self.tokenRefusal(connection)
        #expect(why?.code == .tokenRequestRefused)
    }

    /// Review finding: the token endpoint's refusal text went whole into the log line and the
    /// audit entry of the refused sign-in; a provider that echoes what it was sent put the code,
    /// the verifier or the client secret there. Only a listed error code is named now.
    @Test("a refusal's text never reaches the error's message; an unlisted error code is named by its length only", arguments: [
        (#"{"error":"invalid_grant","error_description":"code sEcReTcOdE-0123 was already used"}"#, "invalid_grant"),
        (#"{"error":"invalid_client","error_description":"client secret sEcReTcOdE-0123 does not match"}"#, "invalid_client"),
        (#"{"error":"sEcReTcOdE-0123"}"#, "an unlisted error code of 15 bytes"),
    ])
    func refusalTextIsNotRecorded(_ body: String, _ named: String) throws {
        let provider = InMemoryProvider(signer: try JWSSigningKey.generate(.es256))
        let transport = ClosureTransport { request in
            request.url == InMemoryProvider.tokenEndpoint
                ? ProviderResponse(status: 400, body: Array(body.utf8)) : ((try? provider.send(request)) ?? ProviderResponse(status: 500, body: []))
        }
        let connection = ProviderConnection(settings: InMemoryProvider.settings(), transport: transport)
        let why = try Self.tokenRefusal(connection)
        #expect(why?.code == .tokenRequestRefused)
        #expect(why?.description.contains(named) == true, "\(String(describing: why))")
        #expect(why?.description.contains("sEcReTcOdE") == false, "\(String(describing: why))")
    }
}
