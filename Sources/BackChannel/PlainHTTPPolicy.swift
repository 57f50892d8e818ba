#if canImport(Glibc)
import Glibc
#endif

/// Whether unencrypted `http` may be used for back-channel calls.
///
/// A token request carries the client secret and the authorization code; over plain HTTP anyone on
/// the path could read them. Loopback is the one place where that path does not leave the machine,
/// which is what development and tests need.
public enum PlainHTTPPolicy: Sendable, Equatable {
    /// Every `http` URL is refused; only `https` is used.
    case refused
    /// `http` only to `localhost`, 127.0.0.0/8 and `::1`.
    case loopbackOnly

    /// Whether plain `http` to `host` (as curl's URL parser reports it, IPv6 in brackets) is allowed.
    func permitsPlainHTTP(toHost host: String) -> Bool {
        switch self {
        case .refused: return false
        case .loopbackOnly: return LoopbackHost.contains(host)
        }
    }
}

/// Recognises loopback hosts by their exact spelling, never by resolving a name: a DNS name that
/// happens to resolve to 127.0.0.1 today is not loopback tomorrow.
enum LoopbackHost {
    static func contains(_ host: String) -> Bool {
        if ASCIICase.equal(host, "localhost") { return true }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            return isIPv6Loopback(String(host.dropFirst().dropLast()))
        }
        return isIPv4Loopback(host)
    }

    /// A strict dotted quad in 127.0.0.0/8. curl has already normalised other numeric forms
    /// (`127.1`, `0x7f000001`) to this one, so nothing looser is needed here.
    private static func isIPv4Loopback(_ text: String) -> Bool {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return false }
        return UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    /// Exactly `::1`, in any spelling inet_pton accepts. IPv4-mapped forms are not loopback here.
    private static func isIPv6Loopback(_ text: String) -> Bool {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return false }
        let bytes = withUnsafeBytes(of: address) { Array($0) }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}
