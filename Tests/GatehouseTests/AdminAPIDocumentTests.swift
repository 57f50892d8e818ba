import Foundation
import Gatehouse
import HTTP
import Store
import Testing
import TestSupport

/// Issue 13 sections 3, 5 and 6: the OpenAPI document against the router, the management
/// listener, `/metrics` behind a token, and one administration layer under the command line
/// and the API.
@Suite(.serialized) struct AdminAPIDocumentTests {
    let cli = CommandLineTests()

    /// The document lists exactly the admin routes the router serves, and nothing else.
    @Test func theDocumentListsEveryRouteTheRouterHas() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let document = try api.call("GET", "/api/v1/openapi.json", token: nil).json
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, item) in paths {
            let pattern = path.replacingOccurrences(of: #"\{([a-z_]+)\}"#, with: ":$1", options: .regularExpression)
            for method in item.keys { documented.insert(method.uppercased() + " " + pattern) }
        }
        let routed = Set(api.rig.gatehouse.app.router.routes
            .filter { $0.pattern.hasPrefix("/api/v1/admin/") || $0.pattern == "/api/v1/openapi.json" }
            .map { $0.method + " " + $0.pattern })
        #expect(routed.count >= 26)
        #expect(routed.subtracting(documented).isEmpty, "routes the document lacks: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented routes nobody serves: \(documented.subtracting(routed).sorted())")
    }

    /// OpenAPI 3.1, each operation with its scope and its errors, every reference resolving.
    @Test func theDocumentNamesScopesErrorsAndSchemas() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let answer = try api.call("GET", "/api/v1/openapi.json", token: nil)
        #expect(answer.status == 200 && answer.header("Content-Type") == "application/json")
        let document = answer.json
        #expect(document["openapi"] as? String == "3.1.0")
        let components = try #require(document["components"] as? [String: [String: Any]])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var operationIDs = Set<String>()
        for (path, item) in paths where path.hasPrefix("/api/v1/admin/") {
            for (method, operation) in item {
                let scope = try #require(operation["x-required-scope"] as? String, "\(method) \(path)")
                #expect(APIScope(rawValue: scope) != nil)
                #expect(operationIDs.insert(operation["operationId"] as? String ?? "").inserted, "operation ids are unique")
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect(responses["401"] != nil && responses["403"] != nil && responses["503"] != nil, "\(method) \(path)")
                if operation["requestBody"] != nil { #expect(responses["415"] != nil && responses["422"] != nil) }
                if path.contains("{") { #expect(responses["404"] != nil) }
            }
        }
        // Every "$ref" names something the document holds.
        func references(in value: Any) -> [String] {
            switch value {
            case let object as [String: Any]: (object["$ref"] as? String).map { [$0] } ?? object.values.flatMap(references)
            case let array as [Any]: array.flatMap(references)
            default: []
            }
        }
        for reference in references(in: document) {
            let parts = reference.split(separator: "/")
            #expect(parts.count == 4 && components[String(parts[2])]?[String(parts[3])] != nil, "\(reference)")
        }
        // The provider slugs the document allows are the configured ones.
        let schemas = try #require(components["schemas"] as? [String: [String: Any]])
        let newIdentity = try #require(schemas["NewIdentity"]?["properties"] as? [String: [String: Any]])
        #expect(newIdentity["provider"]?["enum"] as? [String] == ["dev"])
    }

    /// The README's curl examples name operations that exist, one example at least for each
    /// resource of the document.
    @Test func theReadmesExamplesNameRealOperations() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let paths = try #require(api.call("GET", "/api/v1/openapi.json", token: nil).json["paths"] as? [String: [String: Any]])
        let operations = paths.flatMap { template, item in
            item.keys.map { (method: $0.uppercased(), template: template) }
        }
        let readme = try ReadmeSnippet.readme
        let block = try #require(readme.components(separatedBy: "## Admin API").dropFirst().first?.components(separatedBy: "```sh").dropFirst().first?
            .components(separatedBy: "```").first)
        let commands = block.replacingOccurrences(of: "\\\n", with: " ").components(separatedBy: "\ncurl").dropFirst()
        var covered = Set<String>()
        for command in commands {
            let line = command.components(separatedBy: "\n#").first ?? command
            let path = try #require(line.firstMatch(of: /\$A(\/[A-Za-z0-9_\/-]*)/)?.1, "\(line)")
            let method = line.firstMatch(of: /-X ([A-Z]+)/).map { String($0.1) } ?? (line.contains(" -d ") ? "POST" : "GET")
            let match = operations.first { operation in
                let pattern = "^/api/v1/admin" + operation.template.dropFirst("/api/v1/admin".count)
                    .replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "[^/]+", options: .regularExpression) + "$"
                return operation.method == method && ("/api/v1/admin" + path).range(of: pattern, options: .regularExpression) != nil
            }
            let found = try #require(match, "README: \(method) \(path) is no operation")
            covered.insert(String(found.template.split(separator: "/").dropFirst(3).first ?? ""))
        }
        #expect(covered == ["users", "identities", "sessions", "providers", "events", "link-decisions", "simulate-login", "tokens"])
    }

    @Test func metricsOnThePublicListenerNeedAToken() throws {
        let api = try AdminAPIRig()
        defer { api.stop() }
        let bare = try api.call("GET", "/metrics", token: nil)
        #expect(bare.status == 401 && bare.header("Content-Type") == "application/problem+json")
        #expect(try api.call("GET", "/metrics", token: try api.token([.usersRead])).status == 403)
        let scraped = try api.call("GET", "/metrics", token: try api.token([.metricsRead]))
        #expect(scraped.status == 200 && scraped.text.contains("gatehouse_executor_running{executor=\"admin\"}"))
        let landing = try api.call("GET", "/", token: nil)
        #expect(landing.status == 200 && !landing.text.contains("/metrics"), "the landing page no longer links it")

        let open = try AdminAPIRig(serverExtra: #", "metrics_require_token": false"#)
        defer { open.stop() }
        #expect(try open.call("GET", "/metrics", token: nil).status == 200)
    }

    /// With `server.management_listen`, the admin API, its document and `/metrics` are served
    /// there (tokens still required for the API) and the public listener answers 404 for them.
    @Test func theManagementListenerServesTheAdminAPIApart() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (publicPort, managementPort) = (try freePort(), try freePort())
        let config = try cli.writeConfig(
            """
            {"server": {"listen": "127.0.0.1:\(publicPort)", "public_url": "http://127.0.0.1:\(publicPort)",
                        "management_listen": "127.0.0.1:\(managementPort)"},
             "database": {"path": "\(directory.path)/g.sqlite3"}}
            """, in: directory
        )
        #expect(try cli.run(["migrate", "--config", config]).status == 0)
        let created = try cli.run(["tokens", "create", "--config", config, "--name", "ops", "--scope", "users:read", "--json"])
        let token = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])?["token"] as? String)
        let (process, _) = try cli.startServing(config: config, port: publicPort)
        defer { process.stop() }
        let browser = BrowserClient()
        let publicOrigin = "http://127.0.0.1:\(publicPort)", managementOrigin = "http://127.0.0.1:\(managementPort)"
        for _ in 0..<100 where (try? TestClient(port: managementPort)) == nil { usleep(50_000) }
        let authorization = [("Authorization", "Bearer \(token)")]
        for path in ["/api/v1/admin/users", "/metrics", "/api/v1/openapi.json"] {
            #expect(try browser.get(publicOrigin + path, headers: authorization).status == 404, "\(path) on the public listener")
        }
        #expect(try browser.get(publicOrigin + "/healthz").status == 200)
        #expect(try browser.get(managementOrigin + "/api/v1/admin/users").status == 401, "tokens are still required")
        #expect(try browser.get(managementOrigin + "/api/v1/admin/users", headers: authorization).status == 200)
        #expect(try browser.get(managementOrigin + "/api/v1/openapi.json").status == 200)
        let metrics = try browser.get(managementOrigin + "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("gatehouse_http_requests_total"), "the scraper needs no token here")
        #expect(try browser.get(managementOrigin + "/login").status == 404, "the pages stay on the public listener")
    }

    /// The command line and the API call the same services and render the same shapes: a user
    /// listed by `gatehouse users list --json` is, member for member, the API's.
    @Test func theCommandLineAndTheAPIShareOneLayer() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freePort()
        let config = try cli.writeConfig(
            """
            {"server": {"listen": "127.0.0.1:\(port)", "public_url": "http://127.0.0.1:\(port)"},
             "database": {"path": "\(directory.path)/g.sqlite3"},
             "providers": [{"slug": "dev", "name": "Dev", "issuer": "http://127.0.0.1:9", "client_id": "c", "client_secret": "s"}]}
            """, in: directory
        )
        #expect(try cli.run(["migrate", "--config", config]).status == 0)
        #expect(try cli.run(["users", "create", "--config", config, "--username", "ann", "--email", "ann@example.com", "--email-verified",
                             "--no-password", "--identity", "dev"]).status == 0)
        let created = try cli.run(["tokens", "create", "--config", config, "--name", "ops", "--scope", "admin", "--json"])
        let token = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])?["token"] as? String)
        let listed = try cli.run(["tokens", "list", "--config", config])
        #expect(listed.output.contains("ops") && !listed.output.contains(token.suffix(20)), "a secret is shown once only")
        let (process, _) = try cli.startServing(config: config, port: port)
        defer { process.stop() }
        let browser = BrowserClient()
        let viaAPI = try browser.get("http://127.0.0.1:\(port)/api/v1/admin/users", headers: [("Authorization", "Bearer \(token)")])
        let apiItems = try #require((try JSONSerialization.jsonObject(with: Data(viaAPI.text.utf8)) as? [String: Any])?["items"] as? [NSDictionary])
        let cliItems = try #require(try JSONSerialization.jsonObject(with: Data(try cli.run(["users", "list", "--config", config, "--json"]).output.utf8)) as? [NSDictionary])
        #expect(apiItems.count == 1 && apiItems == cliItems)
        let identities = try cli.run(["identities", "list", "--config", config, "--user", "1", "--json"]).output
        #expect(identities.contains("\"pending\":true"))

        // A conflict reads the same from both: the API's 409 and the command line's one line.
        let other = try cli.run(["users", "create", "--config", config, "--username", "bo", "--no-password"])
        #expect(other.status == 0)
        let refused = try cli.run(["identities", "remove", "--config", config, "1"])
        #expect(refused.status == 1 && refused.output.contains("last way to sign in"))
        #expect(try cli.run(["tokens", "revoke", "--config", config, "--name", "ops"]).status == 0)
        #expect(try browser.get("http://127.0.0.1:\(port)/api/v1/admin/users", headers: [("Authorization", "Bearer \(token)")]).status == 401)
    }
}
