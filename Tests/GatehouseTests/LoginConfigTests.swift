import Foundation
import Testing
@testable import Gatehouse

/// The `login` section and the providers' `promoted` and `icon` keys.
@Suite struct LoginConfigTests {
    private func parse(login: String? = nil, provider: String = "") -> Result<GatehouseConfig, ConfigErrors> {
        let loginMember = login.map { #", "login": \#($0)"# } ?? ""
        let json = """
            {"server": {"listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080"}\(loginMember),
             "providers": [{"slug": "corp", "name": "Corp", "issuer": "https://corp.example", "client_id": "c",
                            "client_secret": "s"\(provider)}]}
            """
        return GatehouseConfig.parse(data: Data(json.utf8), environment: [:])
    }

    private func problems(login: String? = nil, provider: String = "") -> [ConfigProblem] {
        switch parse(login: login, provider: provider) {
        case .success: return []
        case .failure(let errors): return errors.problems
        }
    }

    @Test func defaultsWhenAbsent() throws {
        let config = try parse().get()
        #expect(config.login == LoginConfig(localPasswords: true, identifierFields: [.username, .email], caseSensitive: false, pretendUnknownUsersExist: true))
        #expect(config.login.identifierLabel == "Username or email")
        #expect(config.providers.first?.promoted == false)
        #expect(config.providers.first?.icon == nil)
    }

    @Test func everyKeyIsRead() throws {
        let config = try parse(
            login: #"{"local_passwords": false, "identifier_fields": ["email"], "case_sensitive": true, "pretend_unknown_users_exist": true}"#,
            provider: #", "promoted": true, "icon": "/static/icons/corp-logo_2.svg""#
        ).get()
        #expect(config.login == LoginConfig(localPasswords: false, identifierFields: [.email], caseSensitive: true, pretendUnknownUsersExist: true))
        #expect(config.login.identifierLabel == "Email")
        #expect(config.providers.first?.promoted == true)
        #expect(config.providers.first?.icon == "/static/icons/corp-logo_2.svg")
    }

    @Test(arguments: [
        (#"{"local_passwords": "yes"}"#, "$.login.local_passwords", "expected a boolean, found a string", "booleans are JSON booleans"),
        (#"{"identifier_fields": []}"#, "$.login.identifier_fields", "must not be empty", "the field must match something"),
        (#"{"identifier_fields": ["upn"]}"#, "$.login.identifier_fields[0]", #"expected one of "username" or "email", found "upn""#, "only fields users have"),
        (#"{"identifier_fields": ["email", "email"]}"#, "$.login.identifier_fields", #"lists a field twice: ["email", "email"]"#, "a repeat is a mistake"),
        (#"{"case_sensitiv": true}"#, "$.login.case_sensitiv", #"unknown key; did you mean "case_sensitive"?"#, "typos are not ignored"),
        (#"[]"#, "$.login", "expected an object, found an array", "the section is an object"),
    ])
    func loginProblemsAreReportedAtTheirPath(login: String, path: String, message: String, reason: String) {
        #expect(problems(login: login) == [ConfigProblem(path: path, message: message)], "\(reason)")
    }

    @Test(arguments: [
        (#", "icon": "https://cdn.example/x.svg""#, "another origin: the CSP allows our own images only"),
        (#", "icon": "/static/../config.json""#, "a dot segment climbs out of /static/"),
        (#", "icon": "/static/""#, "names no file"),
        (#", "icon": "/static/a\"b.svg""#, "a quote would end the attribute"),
        (#", "icon": "/static/x.svg?v=1""#, "no query"),
        (#", "icon": "/other/x.svg""#, "not under /static/"),
        (#", "promoted": "true""#, "a string is not a boolean"),
    ])
    func badProviderPresentationIsRefused(provider: String, reason: String) {
        let found = problems(provider: provider)
        #expect(found.count == 1, "\(reason): \(found)")
        #expect(found.first?.path.hasPrefix("$.providers[0].") == true, "\(reason): \(found)")
    }
}
