import Foundation
import Gatehouse
import Store
import TestSupport

/// A running Gatehouse with the development provider (for real sign-ins and sessions), and a
/// client for its admin API over real sockets, holding tokens made through the administration
/// services as `gatehouse tokens create` makes them.
final class AdminAPIRig {
    let rig: SignInRig
    private let client = BrowserClient()

    struct Answer {
        let status: Int
        let page: BrowserClient.Page
        var text: String { page.text }
        func header(_ name: String) -> String? { page.header(name) }
        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(page.text.utf8))) as? [String: Any] ?? [:] }
        var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
        var code: String? { json["code"] as? String }
    }

    init(
        providerJSON: String = "", alsoAs: [String] = [], providerJSONBySlug: [String: String] = [:], serverExtra: String = "",
        gatehouseExtra: String = ""
    ) throws {
        rig = try SignInRig(
            providerJSON: providerJSON, alsoAs: alsoAs, providerJSONBySlug: providerJSONBySlug, gatehouseExtra: gatehouseExtra,
            serverExtra: serverExtra
        )
    }

    func stop() { rig.stop() }

    var origin: String { rig.origin }
    var administration: Administration { rig.gatehouse.app.administration }
    var database: Database { rig.gatehouse.database }

    /// A new token with these scopes; returns its secret.
    func token(_ scopes: [APIScope], name: String = "token-\(UUID().uuidString.prefix(8))") throws -> String {
        try administration.createToken(NewToken(name: name, scopes: scopes.map(\.rawValue)), by: .commandLine).secret
    }

    /// One request to `path` (under the origin); `json` is sent as `application/json`.
    func call(
        _ method: String, _ path: String, token: String?, json: String? = nil, headers: [(String, String)] = [], origin: String? = nil
    ) throws -> Answer {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        if json != nil { all.append(("Content-Type", "application/json")) }
        let page = try client.send(method, (origin ?? self.origin) + path, headers: all, body: Array((json ?? "").utf8))
        return Answer(status: page.status, page: page)
    }

    func count(_ table: String, where condition: String = "1") throws -> Int {
        try rig.count(table, where: condition)
    }

    /// The audit entries of `event`, oldest first: (actor, request id, detail).
    func audit(_ event: AuditEvent) throws -> [(actor: String?, requestID: String?, detail: String)] {
        try database.read { connection in
            try connection.query("SELECT actor, request_id, detail FROM audit_log WHERE event = ? ORDER BY id", [.text(event.rawValue)]).map { row in
                (try row.optionalString("actor"), try row.optionalString("request_id"), try row.optionalString("detail") ?? "")
            }
        }
    }
}
