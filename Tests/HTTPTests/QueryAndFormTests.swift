import Testing
@testable import HTTP

@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("abc", false, "abc", "nothing to decode"),
        ("a%20b", false, "a b", "an escaped space"),
        ("a+b", false, "a+b", "plus is literal outside forms"),
        ("a+b", true, "a b", "plus is a space in forms"),
        ("%2B", true, "+", "an escaped plus stays a plus"),
        ("%e2%82%ac", false, "€", "lower-case hex, multi-byte UTF-8"),
        ("%2F", false, "/", "an escaped slash decodes to a slash"),
        ("", false, "", "empty input"),
    ])
    func decodes(input: String, plusAsSpace: Bool, expected: String, reason: String) throws {
        #expect(try PercentDecoding.decode(input, plusAsSpace: plusAsSpace) == expected, "\(reason)")
    }

    @Test(arguments: [
        ("%", PercentDecodingError.Code.invalidEscape, "a lone percent"),
        ("abc%4", .invalidEscape, "one hex digit at the end"),
        ("%g0", .invalidEscape, "a non-hex first digit"),
        ("%0g", .invalidEscape, "a non-hex second digit"),
        ("%C3", .invalidUTF8, "a truncated UTF-8 sequence"),
        ("%C0%AF", .invalidUTF8, "an overlong encoding of /"),
        ("%ED%A0%80", .invalidUTF8, "a UTF-16 surrogate"),
    ])
    func rejects(input: String, code: PercentDecodingError.Code, reason: String) {
        #expect(throws: PercentDecodingError.self, "\(reason)") { try PercentDecoding.decode(input) }
        do {
            _ = try PercentDecoding.decode(input)
        } catch {
            #expect(error.code == code, "\(reason)")
        }
    }
}

@Suite struct QueryAndFormTests {
    @Test func queryKeepsRepeatedKeysInOrder() throws {
        let request = Request(method: "GET", target: "/search?q=swift+server&tag=a&tag=b&empty=&flag&&x=%26")
        let query = try request.query
        #expect(query.first("q") == "swift server")
        #expect(query.all("tag") == ["a", "b"])
        #expect(query.first("empty") == "")
        #expect(query.first("flag") == "")
        #expect(query.contains("flag"))
        #expect(query.first("x") == "&")
        #expect(query.first("missing") == nil)
        #expect(query.count == 6)
    }

    @Test func noQueryIsEmpty() throws {
        #expect(try Request(method: "GET", target: "/a").query.isEmpty)
        #expect(try Request(method: "GET", target: "/a?").query.isEmpty)
    }

    @Test func valueMayContainEquals() throws {
        let query = try QueryParameters(parsing: "redirect=%2Fa%3Fb%3Dc&k=a=b")
        #expect(query.first("redirect") == "/a?b=c")
        #expect(query.first("k") == "a=b")
    }

    @Test func utf8NamesAndValues() throws {
        let query = try QueryParameters(parsing: "n%C3%A4me=%E6%97%A5%E6%9C%AC")
        #expect(query.first("näme") == "日本")
    }

    @Test(arguments: [
        ("/a?x=%", "a lone percent"),
        ("/a?x=%zz", "not hex"),
        ("/a?%C3=1", "invalid UTF-8 in a name"),
        ("/a?x=%FF", "invalid UTF-8 in a value"),
    ])
    func malformedQueryIsBadRequest(target: String, reason: String) {
        #expect(throws: HTTPError.badRequest("The query string has a malformed percent-encoding."), "\(reason)") {
            try Request(method: "GET", target: target).query
        }
    }

    static func form(_ body: String, contentType: String? = "application/x-www-form-urlencoded") -> Request {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        return Request(method: "POST", target: "/login", headers: headers, body: Array(body.utf8))
    }

    @Test func formBodyDecodes() throws {
        let form = try Self.form("user=ann+lee&scope=a&scope=b&note=50%25").formBody()
        #expect(form.first("user") == "ann lee")
        #expect(form.all("scope") == ["a", "b"])
        #expect(form.first("note") == "50%")
    }

    @Test func formContentTypeWithParametersIsAccepted() throws {
        let form = try Self.form("a=1", contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8").formBody()
        #expect(form.first("a") == "1")
    }

    @Test(arguments: [
        (String?.none, "no Content-Type"),
        ("application/json", "JSON is not a form"),
        ("multipart/form-data; boundary=x", "multipart is not supported"),
        ("application/x-www-form-urlencoded; charset=iso-8859-1", "only UTF-8 forms"),
    ])
    func wrongContentTypeIs415(contentType: String?, reason: String) {
        do {
            _ = try Self.form("a=1", contentType: contentType).formBody()
            Issue.record("expected 415: \(reason)")
        } catch {
            #expect(error.code == .unsupportedMediaType, "\(reason)")
            #expect(error.status == .unsupportedMediaType)
        }
    }

    @Test func malformedFormIsBadRequest() {
        #expect(throws: HTTPError.self) { try Self.form("a=%G1").formBody() }
        var request = Self.form("")
        request.body = [0x61, 0x3D, 0xFF]  // "a=" then a byte that is not UTF-8
        do {
            _ = try request.formBody()
            Issue.record("expected 400")
        } catch {
            #expect(error.code == .badRequest)
        }
    }
}
