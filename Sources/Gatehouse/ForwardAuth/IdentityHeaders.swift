import HTTP
import Store

/// The `200` answer of `/auth/verify`: who is signed in, in the header names the common proxies
/// and applications read (oauth2-proxy's `X-Auth-Request-*`, and `Remote-User`/`Remote-Email`),
/// every one of them always present, empty when unknown.
///
/// Only verified identity leaves Gatehouse: the email headers carry the email only when it is
/// verified, and `Remote-User`/`X-Auth-Request-User` carry the host's chosen attribute
/// (`remote_user`) only when it is verified, else the user's stable id `user:<id>`, so a name a
/// person typed at some provider (`root`) never reaches an application as who they are.
enum IdentityHeaders {
    /// The stable name of a user whose chosen attribute is not verified. No username can take
    /// this shape (`UsernameRules` refuses `:`).
    static func stableID(_ userID: Int64) -> String { "user:\(userID)" }

    static func response(for session: ForwardAuthSession, remoteUser: ForwardAuthConfig.RemoteUserAttribute) -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(10)
        let user: String
        switch remoteUser {
        case .username: user = session.verifiedUsername.map(sanitized) ?? stableID(session.userID)
        case .email: user = session.verifiedEmail.map(sanitized) ?? stableID(session.userID)
        case .id: user = stableID(session.userID)
        }
        headers.add("X-Auth-Request-User", user)
        headers.add("X-Auth-Request-Preferred-Username", session.verifiedUsername.map(sanitized) ?? "")
        headers.add("Remote-User", user)
        // Present even when empty: a proxy that copies a header missing from the answer may
        // hand the application something else instead (Caddy 2.6 the placeholder's text, some
        // later Caddy releases the client's own header of that name).
        let email = session.verifiedEmail.map(sanitized) ?? ""
        headers.add("X-Auth-Request-Email", email)
        headers.add("Remote-Email", email)
        headers.add("X-Auth-Request-Groups", session.storedGroups.map(commaJoined(stored:)) ?? "")
        headers.add("Cache-Control", "no-store")
        return Response(status: .ok, headers: headers)
    }

    /// `value` without control characters (CR and LF above all: a header value must never
    /// split into a second header). Unchanged, without copying, in the usual case.
    static func sanitized(_ value: String) -> String {
        guard value.utf8.contains(where: isControl) else { return value }
        return String(decoding: value.utf8.filter { !isControl($0) }, as: UTF8.self)
    }

    /// The stored newline-joined groups as one comma-joined header value.
    static func commaJoined(stored: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(stored.utf8.count)
        for byte in stored.utf8 {
            if byte == 0x0A {
                bytes.append(UInt8(ascii: ","))
            } else if !isControl(byte) {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}
