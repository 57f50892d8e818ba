import Testing
@testable import OIDC

@Suite("Callback parameters")
struct CallbackParametersTests {
    @Test("a success response: code, state and iss")
    func success() throws {
        let parameters = try CallbackParameters.parse(pairs: [("code", "abc"), ("state", "s1"), ("iss", Fixture.issuer), ("session_state", "x")])
        #expect(parameters.outcome == .code("abc"))
        #expect(parameters.state == "s1")
        #expect(parameters.issuer == Fixture.issuer)
    }

    @Test("an error response keeps error and a well-formed description")
    func errorResponse() throws {
        let parameters = try CallbackParameters.parse(pairs: [("error", "access_denied"), ("error_description", "The user said no"), ("state", "s1")])
        #expect(parameters.outcome == .error(error: "access_denied", description: "The user said no"))
        let badDescription = try CallbackParameters.parse(pairs: [("error", "access_denied"), ("error_description", "<\"quoted\">"), ("state", "s1")])
        #expect(badDescription.outcome == .error(error: "access_denied", description: nil), "characters outside RFC 6749's set drop the description")
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let pairs: [Pair]
        let expected: OIDCError.Code
        let reason: String
        var testDescription: String { reason }
    }

    struct Pair: Sendable {
        let name: String
        let value: String
        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    static let rows: [Row] = [
        Row(pairs: [Pair("code", "a"), Pair("code", "b"), Pair("state", "s")], expected: .malformedCallback, reason: "code twice"),
        Row(pairs: [Pair("code", "a"), Pair("state", "s"), Pair("state", "t")], expected: .malformedCallback, reason: "state twice: two answers to which request this is"),
        Row(pairs: [Pair("code", "a"), Pair("state", "s"), Pair("iss", "x"), Pair("iss", "y")], expected: .malformedCallback, reason: "iss twice"),
        Row(pairs: [Pair("code", "a"), Pair("state", "s"), Pair("foo", "1"), Pair("foo", "2")], expected: .malformedCallback, reason: "any repeated name"),
        Row(pairs: [Pair("code", "a")], expected: .missingState, reason: "no state"),
        Row(pairs: [Pair("code", "a"), Pair("state", "")], expected: .missingState, reason: "empty state"),
        Row(pairs: [Pair("error", "access_denied")], expected: .missingState, reason: "an error response without state"),
        Row(pairs: [Pair("code", "a"), Pair("error", "x"), Pair("state", "s")], expected: .malformedCallback, reason: "both code and error"),
        Row(pairs: [Pair("state", "s")], expected: .malformedCallback, reason: "neither code nor error"),
        Row(pairs: [Pair("code", ""), Pair("state", "s")], expected: .malformedCallback, reason: "an empty code is no code"),
        Row(pairs: [Pair("error", "bad\u{1}"), Pair("state", "s")], expected: .malformedCallback, reason: "error with a control character"),
        Row(pairs: [Pair("code", String(repeating: "a", count: 4097)), Pair("state", "s")], expected: .malformedCallback, reason: "an oversized code"),
    ]

    @Test("malformed callbacks are refused", arguments: rows)
    func refused(_ row: Row) {
        #expect(errorCode { try CallbackParameters.parse(pairs: row.pairs.map { ($0.name, $0.value) }) } == row.expected, "\(row.reason)")
    }

    @Test("RFC 9207: iss required when advertised, and checked whenever present", arguments: [
        (true, Fixture.issuer as String?, nil as OIDCError.Code?, "advertised and equal"),
        (true, nil, .missingIssuerParameter, "advertised and missing"),
        (true, "https://evil.example", .issuerParameterMismatch, "advertised and from another provider (mix-up)"),
        (true, Fixture.issuer + "/", .issuerParameterMismatch, "advertised and differing by a trailing slash"),
        (false, nil, nil, "not advertised and absent"),
        (false, Fixture.issuer, nil, "not advertised and equal"),
        (false, "https://evil.example", .issuerParameterMismatch, "not advertised but present: still must be equal (section 2.4)"),
    ])
    func issuerParameter(_ advertised: Bool, _ iss: String?, _ expected: OIDCError.Code?, _ reason: String) throws {
        var pairs = [("code", "c"), ("state", "s")]
        if let iss { pairs.append(("iss", iss)) }
        let parameters = try CallbackParameters.parse(pairs: pairs)
        #expect(errorCode { try parameters.checkIssuerParameter(advertised: advertised, expectedIssuer: Fixture.issuer) } == expected, "\(reason)")
    }
}
