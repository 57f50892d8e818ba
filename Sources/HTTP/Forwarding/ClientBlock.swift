/// The key a per-client limit counts under: the part of a client's address one party controls.
///
/// An IPv4 address counts whole. An IPv6 address counts by its /64, one subscriber's network:
/// a host there may use any of its 2^64 addresses, so counting each apart would let it start
/// afresh at will. An IPv4-mapped IPv6 address (a dual-stack socket's IPv4 peer) counts as the
/// IPv4 address it is. Text that is no address counts as itself.
public enum ClientBlock {
    public static func key(for clientAddress: String) -> String {
        guard let address = IPAddress(clientAddress) else { return clientAddress }
        if let mapped = address.unmappedIPv4 { return mapped.description }
        guard address.family == .ipv6 else { return address.description }
        let network = IPAddress(bytes: Array(address.bytes.prefix(8)) + [UInt8](repeating: 0, count: 8))
        return (network?.description ?? address.description) + "/64"
    }
}
