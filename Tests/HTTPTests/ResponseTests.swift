import Foundation
import Testing
@testable import HTTP

@Suite struct HTMLEscapingTests {
    @Test(arguments: [
        ("plain text", "plain text", "nothing to escape"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "tags"),
        ("a & b", "a &amp; b", "ampersand"),
        ("\"double\" 'single'", "&quot;double&quot; &#39;single&#39;", "both quotes, for attributes"),
        ("&amp;", "&amp;amp;", "escaping is not idempotent, and must not be"),
        ("café ✓", "café ✓", "non-ASCII passes through"),
    ])
    func escapes(input: String, expected: String, reason: String) {
        #expect(HTMLEscaping.escape(input) == expected, "\(reason)")
    }
}

@Suite struct ResponseHelperTests {
    static func json(_ body: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    @Test func htmlAndText() {
        let html = Response.html("<p>hi</p>", status: .created)
        #expect(html.status == .created)
        #expect(html.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(html.body == Array("<p>hi</p>".utf8))
        #expect(Response.text("ok").headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func redirects() {
        let found = Response.redirect(to: "/login")
        #expect(found.status == .found)
        #expect(found.headers["Location"] == "/login")
        #expect(Response.redirect(to: "/done", status: .seeOther).status == .seeOther)
    }

    @Test func redirectCannotSplitHeaders() {
        let response = Response.redirect(to: "/a\r\nSet-Cookie: x=1 é")
        #expect(response.headers["Location"] == "/a%0D%0ASet-Cookie:%20x=1%20%C3%A9")
    }

    @Test func problemDetailsShape() throws {
        let problem = ProblemDetails(
            status: .tooManyRequests, detail: "Slow down.", instance: "/api/x",
            extensions: ["request_id": "r-1", "status": 200, "retry": .array([1, 2])]
        )
        let response = Response.problem(problem)
        #expect(response.status == .tooManyRequests)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let object = try Self.json(response.body)
        #expect(object["type"] as? String == "about:blank")
        #expect(object["title"] as? String == "Too Many Requests")
        #expect(object["status"] as? Int == 429, "an extension cannot overwrite a standard member")
        #expect(object["detail"] as? String == "Slow down.")
        #expect(object["instance"] as? String == "/api/x")
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["retry"] as? [Int] == [1, 2])
    }

    @Test func problemOmitsAbsentMembers() throws {
        let object = try Self.json(Response.problem(ProblemDetails(status: .notFound)).body)
        #expect(Set(object.keys) == ["type", "title", "status"])
    }
}

@Suite struct HTTPErrorTests {
    static func request(target: String = "/page", accept: String? = nil, id: String = "req-42") -> Request {
        var headers = HTTPHeaders()
        if let accept { headers.add("Accept", accept) }
        var request = Request(method: "GET", target: target, headers: headers)
        request.requestID = id
        return request
    }

    @Test(arguments: [
        ("/api/users", String?.none, true, "an API path gets JSON whatever it accepts"),
        ("/api/users", "text/html", true, "an API path gets JSON even from a browser"),
        ("/page", "application/json", true, "the client asks for JSON"),
        ("/page", "application/problem+json", true, "the client asks for problems"),
        ("/page", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false, "a browser"),
        ("/page", "*/*", false, "curl: a tie goes to HTML"),
        ("/page", String?.none, false, "no Accept at all"),
        ("/page", "application/json;q=0.5, text/html", false, "HTML weighed higher"),
        ("/page", "text/html;q=0.1, application/*", true, "a JSON range weighed higher"),
        ("/apiary", "text/html", false, "only the /api/ folder, not a prefix of a word"),
    ])
    func format(target: String, accept: String?, json: Bool, reason: String) {
        let response = HTTPError.notFound.response(for: Self.request(target: target, accept: accept))
        let expected = json ? "application/problem+json" : "text/html; charset=utf-8"
        #expect(response.headers["Content-Type"] == expected, "\(reason)")
    }

    @Test func problemJSONCarriesCodeAndRequestID() throws {
        let error = HTTPError.badRequest("The field \"x\" is missing.")
        let response = error.response(for: Self.request(target: "/api/x"))
        #expect(response.status == .badRequest)
        #expect(response.headers["Cache-Control"] == "no-store")
        let object = try ResponseHelperTests.json(response.body)
        #expect(object["request_id"] as? String == "req-42")
        #expect(object["code"] as? String == "bad_request")
        #expect(object["detail"] as? String == "The field \"x\" is missing.")
        #expect(object["title"] as? String == "Bad Request")
    }

    @Test func htmlPageIsEscapedAndHasNoInlineScriptOrStyle() {
        let error = HTTPError.badRequest("<img src=x onerror=alert(1)>")
        let request = Self.request(id: "<b>id</b>")
        let page = String(decoding: error.response(for: request).body, as: UTF8.self)
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!page.contains("<img"))
        #expect(page.contains("&lt;b&gt;id&lt;/b&gt;"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("<style"))
        #expect(!page.contains("style="))
        #expect(page.contains("<link rel=\"stylesheet\" href=\"/static/app.css\">"))
        #expect(page.contains("<h1>Bad Request</h1>"))
    }

    @Test func factoriesSetStatusAndHeaders() {
        let request = Self.request()
        #expect(HTTPError.methodNotAllowed(allow: ["GET", "HEAD"]).response(for: request).headers["Allow"] == "GET, HEAD")
        #expect(HTTPError.tooManyRequests(retryAfter: 30).response(for: request).headers["Retry-After"] == "30")
        #expect(HTTPError.tooManyRequests(retryAfter: -3).headers["Retry-After"] == "0")
        #expect(HTTPError.tooManyRequests().response(for: request).status == .tooManyRequests)
        #expect(HTTPError.payloadTooLarge.status.code == 413)
        #expect(HTTPError.unsupportedMediaType.status.code == 415)
        #expect(HTTPError.notFound.with(detail: "No such client.").detail == "No such client.")
        #expect(HTTPError.internalServerError.detail == nil)
    }

    @Test func customCodesAreExtensible() {
        let error = HTTPError(code: HTTPError.Code(rawValue: "csrf_failed"), status: .forbidden, detail: "Reload the page.")
        #expect(error.code.rawValue == "csrf_failed")
        #expect(error.response(for: Self.request()).status == .forbidden)
    }
}
