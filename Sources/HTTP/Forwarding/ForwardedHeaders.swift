/// Decides who the client is, and which scheme and host it used, from the TCP peer and the
/// `X-Forwarded-*` headers, believing those headers only when the peer is a trusted proxy.
///
/// Without this rule any client could claim to be anyone (`X-Forwarded-For: 127.0.0.1`) and
/// defeat rate limits, audit records and redirect checks.
public struct ForwardedHeaders: Sendable {
    public let isTrustedProxy: @Sendable (String) -> Bool
    /// The scheme our own listener speaks (Gatehouse serves plain HTTP behind a TLS proxy).
    public let listenerScheme: String

    public init(listenerScheme: String = "http", isTrustedProxy: @escaping @Sendable (String) -> Bool) {
        self.listenerScheme = listenerScheme
        self.isTrustedProxy = isTrustedProxy
    }

    public static let trustNobody = ForwardedHeaders { _ in false }

    public func apply(to request: inout Request, peerAddress: String) {
        request.peerAddress = peerAddress
        request.clientAddress = peerAddress
        request.scheme = listenerScheme
        request.host = Self.authority(ofAbsoluteTarget: request.target) ?? request.headers["Host"] ?? ""
        guard isTrustedProxy(peerAddress) else { return }

        // X-Forwarded-For lists hops left to right; the nearest untrusted hop is the client.
        let hops = request.headers.values(of: "X-Forwarded-For")
            .flatMap { $0.split(separator: ",") }
            .map { Self.unbracketed($0.trimmingASCIIWhitespace()) }
        for hop in hops.reversed() {
            guard Self.looksLikeIPAddress(hop) else { break }
            request.clientAddress = hop
            if !isTrustedProxy(hop) { break }
        }
        if let proto = request.headers.values(of: "X-Forwarded-Proto").last?
            .split(separator: ",").last?.trimmingASCIIWhitespace().lowercased(),
            proto == "http" || proto == "https" {
            request.scheme = proto
        }
        if let host = request.headers.values(of: "X-Forwarded-Host").last?
            .split(separator: ",").last?.trimmingASCIIWhitespace(),
            Self.isValidHost(host) {
            request.host = String(host)
        }
    }

    /// For an absolute-form target (`http://host/path`), RFC 9112 section 3.2.2 makes its
    /// authority, not the Host field, the host the client asked for.
    /// The scheme is compared in any case, as the parser accepts it (review finding: an
    /// `HTTP://` target was taken with the Host field's host instead).
    static func authority(ofAbsoluteTarget target: String) -> String? {
        guard let range = Request.absoluteFormAuthorityRange(of: target) else { return nil }
        let authority = target[range]
        return isValidHost(authority) ? String(authority) : nil
    }

    /// An IPv6 hop as some proxies write it, `[2001:db8::1]` or `[2001:db8::1]:443`, as the
    /// bare address; anything else as it is (review finding: the bracket stopped the walk, and
    /// every IPv6 client behind such a proxy took the proxy's own address).
    static func unbracketed(_ hop: Substring) -> String {
        guard hop.first == "[", let close = hop.firstIndex(of: "]") else { return String(hop) }
        let rest = hop[hop.index(after: close)...]
        let port = rest.utf8.dropFirst()
        guard rest.isEmpty || (rest.first == ":" && !port.isEmpty && port.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }) else { return String(hop) }
        return String(hop[hop.index(after: hop.startIndex)..<close])
    }

    static func looksLikeIPAddress(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 45
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                    || byte == 0x2E || byte == 0x3A
            }
    }

    /// host[:port] made of letters, digits, `-`, `.`, and brackets/colons for IPv6 literals.
    static func isValidHost(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 255
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x3A || byte == 0x5B || byte == 0x5D
            }
    }
}
