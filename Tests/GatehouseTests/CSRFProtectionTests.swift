import HTTP
import Testing
@testable import Gatehouse

@Suite struct CSRFProtectionTests {
    let protection = CSRFProtection(expectedOrigin: "https://login.example.com")
    let session = SessionToken(bytes: Array(repeating: 7, count: 32))

    func post(origin: String? = nil, referer: String? = nil) -> Request {
        var request = Request(method: "POST", target: "/logout")
        if let origin { request.headers.add("Origin", origin) }
        if let referer { request.headers.add("Referer", referer) }
        return request
    }

    @Test func sameOriginFormWithTheSessionTokenPasses() throws {
        try protection.check(post(origin: "https://login.example.com"), session: session, submittedToken: CSRFProtection.token(for: session))
        try protection.check(
            post(referer: "https://login.example.com/account"), session: session, submittedToken: CSRFProtection.token(for: session)
        )
    }

    @Test(arguments: [
        (Optional("https://evil.example"), String?.none, CSRFProtection.Rejection.foreignOrigin, "another site's origin"),
        ("null", nil, .foreignOrigin, "opaque origin from a sandboxed frame"),
        ("https://login.example.com.evil.example", nil, .foreignOrigin, "our origin as a prefix of theirs"),
        ("http://login.example.com", nil, .foreignOrigin, "same host over plain http"),
        (nil, nil, .missingOrigin, "neither Origin nor Referer: fail closed"),
        (nil, "https://login.example.com.evil.example/x", .foreignOrigin, "Referer on a look-alike host"),
    ])
    func foreignOrMissingOriginsAreRefused(origin: String?, referer: String?, expected: CSRFProtection.Rejection, reason: String) {
        #expect(throws: expected, "\(reason)") {
            try protection.check(post(origin: origin, referer: referer), session: session, submittedToken: CSRFProtection.token(for: session))
        }
    }

    @Test func missingOrWrongTokensAreRefused() {
        let request = post(origin: "https://login.example.com")
        #expect(throws: CSRFProtection.Rejection.missingToken) { try protection.check(request, session: session, submittedToken: nil) }
        #expect(throws: CSRFProtection.Rejection.missingToken) { try protection.check(request, session: session, submittedToken: "") }
        let otherSession = SessionToken(bytes: Array(repeating: 8, count: 32))
        #expect(throws: CSRFProtection.Rejection.wrongToken) {
            try protection.check(request, session: session, submittedToken: CSRFProtection.token(for: otherSession))
        }
    }

    @Test func tokenIsDerivedFromTheSessionAndChangesWithIt() {
        #expect(CSRFProtection.token(for: session) == CSRFProtection.token(for: session))
        #expect(CSRFProtection.token(for: session) != CSRFProtection.token(for: SessionToken(bytes: Array(repeating: 9, count: 32))))
        #expect(CSRFProtection.token(for: session).utf8.count == 43)
    }
}
