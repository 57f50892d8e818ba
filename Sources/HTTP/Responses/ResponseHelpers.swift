
/// Content types the helpers set, in one place so tests and callers agree on spelling.
public enum MediaType {
    public static let html = "text/html; charset=utf-8"
    public static let plainText = "text/plain; charset=utf-8"
    public static let json = "application/json"
    public static let problemJSON = ProblemDetails.mediaType
    public static let formURLEncoded = "application/x-www-form-urlencoded"
}

extension Response {
    /// An HTML page. The caller is responsible for escaping what it interpolates (see `HTMLEscaping`).
    public static func html(_ html: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": MediaType.html], body: Array(html.utf8))
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": MediaType.plainText], body: Array(text.utf8))
    }

    /// A JSON body written from a `JSONValue`: compact, members sorted by name (the bytes the
    /// default encoder writes for the same members). Throws when a `.number` holds text that is
    /// no JSON number, so the router turns a programming error into a 500.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) throws(JSONError) -> Response {
        Response(status: status, headers: ["Content-Type": MediaType.json], body: try value.serialized())
    }

    /// An RFC 9457 problem response with the problem's own status.
    public static func problem(_ problem: ProblemDetails) -> Response {
        Response(status: problem.status, headers: ["Content-Type": MediaType.problemJSON], body: problem.encoded())
    }

    /// The statuses a redirect may use. 303 is what a form POST should answer with, so the
    /// browser follows with GET; 307/308 keep the method.
    public enum RedirectStatus: Sendable {
        case movedPermanently, found, seeOther, temporaryRedirect, permanentRedirect

        var status: HTTPStatus {
            switch self {
            case .movedPermanently: .movedPermanently
            case .found: .found
            case .seeOther: .seeOther
            case .temporaryRedirect: HTTPStatus(code: 307)
            case .permanentRedirect: HTTPStatus(code: 308)
            }
        }
    }

    /// A redirect to `location`. Controls, spaces and non-ASCII bytes in the location are
    /// percent-encoded, so an input-derived location can never split the header (CRLF
    /// injection) or carry raw bytes a client would read differently. Deciding whether the
    /// location is an allowed destination (open redirects) is the caller's job.
    public static func redirect(to location: String, status: RedirectStatus = .found) -> Response {
        Response(
            status: status.status,
            headers: ["Location": sanitizedLocation(location), "Content-Type": MediaType.plainText],
            body: Array("Redirecting\n".utf8)
        )
    }

    static func sanitizedLocation(_ location: String) -> String {
        let unsafe: (UInt8) -> Bool = { $0 <= 0x20 || $0 >= 0x7F }
        guard location.utf8.contains(where: unsafe) else { return location }
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes = [UInt8]()
        for byte in location.utf8 {
            if unsafe(byte) {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
