/// The key a per-client limit counts under: the part of a client's address one party controls.
///
/// An IPv4 address counts whole. An IPv6 address counts by its /64, one subscriber's network:
/// a host there may use any of its 2^64 addresses, so counting each apart would let it start
/// afresh at will. An IPv6 address that carries an IPv4 one (a dual-stack socket's
/// `::ffff:a.b.c.d`, or NAT64's well-known prefix `64:ff9b::/96`, where every IPv4 client would
/// otherwise share one /64) counts as that IPv4 address. A port some proxies append
/// (`192.0.2.1:5678`, `[2001:db8::1]:443`) is not part of the client. Text that is no address
/// counts as itself.
public enum ClientBlock {
    public static func key(for clientAddress: String) -> String {
        key(for: clientAddress, ipv6PrefixBytes: 8)
    }

    /// Like `key`, but an IPv6 address counts by its /48, a whole site: for sharing out what is
    /// stored (a full table of sign-in flows makes room from the site holding the most), where
    /// counting by /64 let one party spread its rows over the 65,536 /64s of a /48 that tunnel
    /// brokers give away, and look as small as a person (review finding).
    public static func siteKey(for clientAddress: String) -> String {
        key(for: clientAddress, ipv6PrefixBytes: 6)
    }

    private static func key(for clientAddress: String, ipv6PrefixBytes: Int) -> String {
        guard let address = IPAddress(clientAddress) ?? withoutPort(clientAddress) else { return clientAddress }
        if let ipv4 = address.unmappedIPv4 ?? nat64(address) { return ipv4.description }
        guard address.family == .ipv6 else { return address.description }
        let network = IPAddress(bytes: Array(address.bytes.prefix(ipv6PrefixBytes)) + [UInt8](repeating: 0, count: 16 - ipv6PrefixBytes))
        return (network?.description ?? address.description) + "/\(ipv6PrefixBytes * 8)"
    }

    /// `192.0.2.1:5678` or `[2001:db8::1]:443` without the port; nil for anything else.
    private static func withoutPort(_ text: String) -> IPAddress? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return IPAddress(String(text[text.index(after: text.startIndex)..<close]))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 ? IPAddress(String(parts[0])).flatMap { $0.family == .ipv4 ? $0 : nil } : nil
    }

    /// The IPv4 address in NAT64's well-known prefix (RFC 6052: `64:ff9b::/96`).
    private static func nat64(_ address: IPAddress) -> IPAddress? {
        let prefix: [UInt8] = [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        guard address.family == .ipv6, Array(address.bytes.prefix(12)) == prefix else { return nil }
        return IPAddress(bytes: Array(address.bytes.suffix(4)))
    }
}
