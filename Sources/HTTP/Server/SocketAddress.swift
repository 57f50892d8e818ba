#if canImport(Glibc)
import Glibc
#endif

/// A host and port to listen on. IPv6 hosts are given without brackets.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var isIPv6: Bool { host.contains(":") }

    /// `127.0.0.1:8080` or `[::1]:8080`, the form it is written in.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

enum SocketAddress {
    /// The textual IP address of a peer from `sockaddr_storage`; IPv4-mapped IPv6 is shown as IPv4
    /// so that trusted-proxy rules and logs see one form per client.
    static func ipString(_ storage: inout sockaddr_storage) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var address = v4.pointee.sin_addr
                    inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
                    return text(of: buffer)
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
                    let text = text(of: buffer)
                    if text.hasPrefix("::ffff:"), text.contains(".") { return String(text.dropFirst(7)) }
                    return text
                }
            }
        default:
            return "unknown"
        }
    }

    /// The NUL-terminated C string in `buffer`, as a Swift string.
    private static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
