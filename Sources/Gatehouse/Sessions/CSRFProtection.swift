import Crypto
import HTTP
import JOSE

/// Protection of state-changing browser requests against cross-site request forgery, in two
/// independent layers: a per-session token in the form, and the request's Origin (or Referer).
///
/// The token is an HMAC of the session secret, so it needs no storage and a copy of the database
/// does not reveal it; it changes whenever the session id rotates.
public struct CSRFProtection: Sendable {
    /// The origin forms must come from, e.g. `https://login.example.com`.
    public let expectedOrigin: String

    public static let formField = "csrf_token"
    private static let label = Array("gatehouse csrf v1".utf8)

    public init(expectedOrigin: String) {
        self.expectedOrigin = expectedOrigin
    }

    public static func token(for session: SessionToken) -> String {
        Base64URL.encode(Digest.hmacSHA256(key: session.bytes, message: label))
    }

    public enum Rejection: String, Error, Sendable {
        case missingOrigin = "missing_origin"
        case foreignOrigin = "foreign_origin"
        case missingToken = "missing_token"
        case wrongToken = "wrong_token"
    }

    /// Checks a state-changing request. Fails closed: a request with neither Origin nor Referer is refused.
    public func check(_ request: Request, session: SessionToken, submittedToken: String?) throws(Rejection) {
        try checkOrigin(request)
        guard let submittedToken, !submittedToken.isEmpty else { throw .missingToken }
        let expected = Array(Self.token(for: session).utf8)
        guard Digest.constantTimeEqual(Array(submittedToken.utf8), expected) else { throw .wrongToken }
    }

    /// Checks a form post whose only field of interest is the token: the origin, and the
    /// form's `csrf_token`. An unreadable body counts as a missing token.
    public func checkForm(_ request: Request, session: SessionToken) throws(Rejection) {
        try check(request, session: session, submittedToken: (try? request.formBody())?.first(Self.formField))
    }

    public func checkOrigin(_ request: Request) throws(Rejection) {
        if let origin = request.headers["Origin"] {
            guard origin == expectedOrigin else { throw .foreignOrigin }
            return
        }
        guard let referer = request.headers["Referer"] else { throw .missingOrigin }
        guard referer == expectedOrigin || referer.hasPrefix(expectedOrigin + "/") else { throw .foreignOrigin }
    }
}
