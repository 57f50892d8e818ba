/// How Gatehouse reaches one directory: its servers, transport security, the service account
/// and the bounds on every wait. The Gatehouse config decoder fills it; `validate()` states the
/// transport rule so the config check and the client refuse the same things.
public struct DirectorySettings: Sendable, Equatable {
    public enum ServerOrder: String, Sendable, Equatable, CaseIterable {
        /// The first URI that answers, then the next: a primary and its standbys.
        case ordered
        /// A fresh random order for each new connection: spreads load over equal replicas.
        case random
    }

    /// `ldap://host:port` or `ldaps://host:port`, tried in `order` until one answers.
    public var uris: [String]
    public var order: ServerOrder
    /// StartTLS on `ldap://` URIs (required by default; `ldaps://` is TLS from the first byte).
    public var startTLS: Bool
    /// Plain LDAP to a host that is not loopback: only when the operator says so (and is warned).
    public var allowPlainLDAP: Bool
    /// A PEM bundle the server certificate must chain to; nil means the system store.
    public var caFile: String?
    /// The service account that searches; nil binds anonymously.
    public var bindDN: String?
    public var bindPassword: String?
    public var connectTimeoutSeconds: Double
    public var operationTimeoutSeconds: Double
    /// The longest one sign-in's or one search's whole exchange may take, failover included.
    public var totalTimeoutSeconds: Double
    /// Connections kept per pool (one pool searches as the service account, one binds people).
    public var poolSize: Int
    /// Entries a paged search asks for per page (RFC 2696).
    public var pageSize: Int

    public init(
        uris: [String], order: ServerOrder = .ordered, startTLS: Bool = true, allowPlainLDAP: Bool = false, caFile: String? = nil,
        bindDN: String? = nil, bindPassword: String? = nil, connectTimeoutSeconds: Double = 5, operationTimeoutSeconds: Double = 10,
        totalTimeoutSeconds: Double = 20, poolSize: Int = 4, pageSize: Int = 500
    ) {
        self.uris = uris
        self.order = order
        self.startTLS = startTLS
        self.allowPlainLDAP = allowPlainLDAP
        self.caFile = caFile
        self.bindDN = bindDN
        self.bindPassword = bindPassword
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.operationTimeoutSeconds = operationTimeoutSeconds
        self.totalTimeoutSeconds = totalTimeoutSeconds
        self.poolSize = poolSize
        self.pageSize = pageSize
    }

    /// The problems with these settings, each a sentence; empty when the client may use them.
    /// A password crosses the wire at every sign-in, so plain LDAP is refused unless the server
    /// is on this machine or the operator opted in.
    public func problems() -> [(index: Int?, message: String)] {
        var problems: [(Int?, String)] = []
        if uris.isEmpty { problems.append((nil, "at least one server URI is required")) }
        for (index, uri) in uris.enumerated() {
            guard let parsed = DirectoryURI(uri) else {
                problems.append((index, "expected ldap://host[:port] or ldaps://host[:port], found \"\(uri)\""))
                continue
            }
            if !parsed.isTLS && !startTLS && !parsed.isLoopback && !allowPlainLDAP {
                problems.append((index, "plain LDAP to \(parsed.host) would send passwords in clear text: "
                    + "use ldaps://, keep start_tls on, or set allow_plain_ldap"))
            }
        }
        return problems
    }
}

/// One server URI, as far as the transport rule needs it.
public struct DirectoryURI: Sendable, Equatable {
    public let isTLS: Bool
    public let host: String
    public let port: Int

    public init?(_ text: String) {
        let scheme: String
        if text.hasPrefix("ldaps://") { scheme = "ldaps://"; isTLS = true }
        else if text.hasPrefix("ldap://") { scheme = "ldap://"; isTLS = false }
        else { return nil }
        var rest = Substring(text.dropFirst(scheme.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        // No userinfo (`user:password@`): credentials belong in bind_dn and bind_password, never in a URI.
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains(" "), !rest.contains("@") else { return nil }
        var hostPart = rest
        var portValue = isTLS ? 636 : 389
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { guard let port = Int(after.dropFirst()) else { return nil }; portValue = port }
            else if !after.isEmpty { return nil }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            guard let port = Int(rest[rest.index(after: colon)...]) else { return nil }
            portValue = port
        }
        guard !hostPart.isEmpty, (1...65535).contains(portValue) else { return nil }
        host = String(hostPart)
        port = portValue
    }

    /// 127.0.0.0/8, ::1 and `localhost`: the only hosts plain LDAP may reach without opting in.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension DirectorySettings: CustomStringConvertible, CustomDebugStringConvertible {
    /// The servers and the account, never the password: settings printed into a log line or a
    /// test failure carry no secret.
    public var description: String {
        "DirectorySettings(uris: \(uris), order: \(order.rawValue), startTLS: \(startTLS), caFile: \(caFile ?? "system"), "
            + "bindDN: \(bindDN ?? "anonymous"), bindPassword: \(bindPassword == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }
}
