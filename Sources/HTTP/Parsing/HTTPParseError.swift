/// Why a request was refused, and the status the connection answers with before it closes.
///
/// `reason` is always one of the parser's own fixed phrases, never a copy of request bytes,
/// so it is safe to put in a log line or an error page. Tests compare `status`; the phrase is
/// for people reading logs.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: HTTPStatus
    public let reason: String

    public init(status: HTTPStatus, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code) \(reason)" }

    /// 400: the message breaks the HTTP/1.1 grammar or its framing rules.
    public static func badRequest(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: .badRequest, reason: reason)
    }

    /// 413: the declared or decoded body is larger than `HTTPLimits.maxBodyBytes`.
    public static func contentTooLarge(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: .payloadTooLarge, reason: reason)
    }

    /// 503: the body does not fit in what `BodyBudget` has left; it passes as others finish.
    public static let bodiesInFlightFull = HTTPParseError(status: .serviceUnavailable, reason: "request bodies in flight at capacity")

    /// 414: the request line is longer than `HTTPLimits.maxRequestLineBytes`.
    public static let uriTooLong = HTTPParseError(status: .uriTooLong, reason: "request line too long")

    /// 417: an `Expect` value other than `100-continue`.
    public static let expectationFailed = HTTPParseError(
        status: .expectationFailed, reason: "unsupported expectation"
    )

    /// 431: the header (or trailer) section is over `maxHeaderBytes` or `maxHeaderCount`.
    public static func headerFieldsTooLarge(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: .requestHeaderFieldsTooLarge, reason: reason)
    }

    /// 501: something well-formed that this server does not implement (CONNECT, a transfer coding).
    public static func notImplemented(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: .notImplemented, reason: reason)
    }

    /// 505: a well-formed HTTP-version whose major version is not 1.
    public static let versionNotSupported = HTTPParseError(
        status: .httpVersionNotSupported, reason: "HTTP version not supported"
    )
}
