import Testing
@testable import HTTP

@Suite struct JSONBodyTests {
    struct Login: Codable, Equatable {
        let user: String
        let remember: Bool
    }

    static func request(_ body: String, contentType: String? = "application/json") -> Request {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        return Request(method: "POST", target: "/api/login", headers: headers, body: Array(body.utf8))
    }

    @Test(arguments: [
        "application/json",
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ])
    func decodesJSONTypes(contentType: String) throws {
        let login = try Self.request(#"{"user":"ann","remember":true}"#, contentType: contentType).decodeJSON(Login.self)
        #expect(login == Login(user: "ann", remember: true))
    }

    @Test(arguments: [
        (String?.none, "no Content-Type"),
        ("text/plain", "a simple-request type a cross-site form can send"),
        ("application/x-www-form-urlencoded", "a form"),
        ("text/json+xml", "+json only counts under application/"),
    ])
    func otherTypesAre415(contentType: String?, reason: String) {
        do {
            _ = try Self.request(#"{"user":"ann","remember":true}"#, contentType: contentType).decodeJSON(Login.self)
            Issue.record("expected 415: \(reason)")
        } catch {
            #expect(error.status == .unsupportedMediaType, "\(reason)")
        }
    }

    @Test(arguments: [
        ("{", "The request body is not valid JSON.", "truncated"),
        ("", "The request body is not valid JSON.", "empty"),
        (#"{"remember":true}"#, #"The field "user" is missing."#, "a missing key is named"),
        (#"{"user":1,"remember":true}"#, #"The field "user" has the wrong type."#, "a wrong type is named"),
        (#"{"user":null,"remember":true}"#, #"The field "user" must not be null."#, "null for a required value"),
    ])
    func malformedIs400(body: String, detail: String, reason: String) {
        do {
            _ = try Self.request(body).decodeJSON(Login.self)
            Issue.record("expected 400: \(reason)")
        } catch {
            #expect(error.status == .badRequest, "\(reason)")
            #expect(error.detail == detail, "\(reason)")
        }
    }

    @Test func jsonResponse() throws {
        let response = try Response.json(Login(user: "a/b", remember: false), status: .created)
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"remember":false,"user":"a/b"}"#)
    }

    @Test func unencodableValueThrows() {
        #expect(throws: (any Error).self) { try Response.json(["x": Double.nan]) }
    }
}
