#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes.
///
/// Parsing goes through `inet_pton`, the same routine the socket layer trusts, so the text
/// forms accepted here are exactly the ones the kernel would accept: dotted-quad IPv4 with
/// no shorthand or octal, and RFC 4291 IPv6 text. Brackets and zone ids (`%eth0`) are not
/// part of an address and are refused.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    public let family: Family
    /// 4 bytes for IPv4, 16 for IPv6, most significant first.
    public let bytes: [UInt8]

    /// Longer than any textual address (the longest IPv6 form with an embedded IPv4 tail is 45).
    private static let maximumTextLength = 64

    /// Parses an address in text form; `nil` when the text is not exactly one address.
    public init?(_ text: String) {
        // `withCString` stops at the first NUL, so "10.0.0.1\0junk" would otherwise parse.
        guard !text.isEmpty, text.utf8.count <= Self.maximumTextLength, !text.utf8.contains(0) else {
            return nil
        }
        if !text.contains(":") {
            var storage = in_addr()
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            self.family = .ipv4
            self.bytes = withUnsafeBytes(of: &storage) { Array($0) }
        } else {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            self.family = .ipv6
            self.bytes = withUnsafeBytes(of: &storage) { Array($0) }
        }
    }

    /// Builds an address from raw bytes: 4 bytes make IPv4, 16 make IPv6, any other count is `nil`.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.family = .ipv4
        case 16: self.family = .ipv6
        default: return nil
        }
        self.bytes = bytes
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else `nil`.
    ///
    /// A dual-stack socket reports IPv4 peers in this form, so callers that match IPv4 rules
    /// must look through it.
    public var unmappedIPv4: IPAddress? {
        guard family == .ipv6,
              bytes[0..<10].allSatisfy({ $0 == 0 }),
              bytes[10] == 0xFF, bytes[11] == 0xFF
        else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// The canonical text form from `inet_ntop` (IPv6 compressed, lowercase, no brackets).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let written: Bool = bytes.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                let addressFamily = family == .ipv4 ? AF_INET : AF_INET6
                return inet_ntop(addressFamily, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard written else { return bytes.map { String($0) }.joined(separator: ".") }
        let end = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
