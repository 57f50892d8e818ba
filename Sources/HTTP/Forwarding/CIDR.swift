/// A range of IP addresses written as `address/prefix-length`, such as `10.0.0.0/8` or
/// `2001:db8::/32`. Used to decide which peers are trusted proxies.
///
/// A bare address is accepted as a single-host range (`/32` or `/128`).
///
/// Families never mix: an IPv4 address matches only IPv4 ranges and an IPv6 address only
/// IPv6 ranges, so `::/0` does not silently trust every IPv4 client. IPv4-mapped IPv6 text
/// (`::ffff:10.0.0.1`, which a dual-stack socket reports for IPv4 peers) is read as the IPv4
/// address it carries, both in ranges and in addresses, so `10.0.0.0/8` still matches it.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range; its bits past the prefix are all zero.
    public let network: IPAddress
    /// How many leading bits of an address must equal `network`'s.
    public let prefixLength: Int

    /// Parses `address/prefix` or a bare address.
    ///
    /// Refuses a range whose address has bits set past the prefix (`10.0.0.1/8`): such a
    /// range is almost always a typo, and silently widening it would trust more than written.
    public init(parsing text: String) throws(CIDRParseError) {
        let addressText: Substring
        let prefixText: Substring?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            prefixText = text[text.index(after: slash)...]
        } else {
            addressText = Substring(text)
            prefixText = nil
        }
        guard let parsed = IPAddress(String(addressText)) else {
            throw CIDRParseError(code: .invalidAddress, input: text)
        }
        let bitCount = parsed.bytes.count * 8
        var length = bitCount
        if let prefixText {
            guard let value = Self.parsePrefixLength(prefixText), value <= bitCount else {
                throw CIDRParseError(code: .invalidPrefixLength, input: text)
            }
            length = value
        }
        var address = parsed
        // ::ffff:a.b.c.d/n with n >= 96 is the IPv4 range a.b.c.d/(n - 96).
        if let mapped = parsed.unmappedIPv4, length >= 96 {
            address = mapped
            length -= 96
        }
        let masked = Self.mask(address.bytes, toPrefix: length)
        guard masked == address.bytes else {
            let suggestion = IPAddress(bytes: masked).map { "\($0)/\(length)" }
            throw CIDRParseError(code: .hostBitsSet, input: text, suggestion: suggestion)
        }
        self.network = address
        self.prefixLength = length
    }

    /// Whether `address` (text, IPv4 or IPv6) lies in this range; `false` for anything that
    /// is not an address, so a malformed peer is never trusted.
    public func contains(_ address: String) -> Bool {
        guard let parsed = IPAddress(address) else { return false }
        return contains(parsed)
    }

    /// Whether `address` lies in this range, looking through IPv4-mapped IPv6.
    public func contains(_ address: IPAddress) -> Bool {
        let candidate = address.unmappedIPv4 ?? address
        guard candidate.family == network.family else { return false }
        return Self.mask(candidate.bytes, toPrefix: prefixLength) == network.bytes
    }

    /// `network/prefix` in canonical form, such as `10.0.0.0/8` or `2001:db8::/32`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// Decimal digits only, no sign, no leading zero: "08" is more likely a typo than eight.
    private static func parsePrefixLength(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if text.count > 1, text.first == "0" { return nil }
        return Int(text)
    }

    /// `bytes` with every bit past the first `prefix` bits cleared.
    private static func mask(_ bytes: [UInt8], toPrefix prefix: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsBefore = index * 8
            if prefix >= bitsBefore + 8 { continue }
            let keep = max(0, prefix - bitsBefore)
            result[index] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        return result
    }
}

/// Why a text is not a CIDR range.
public struct CIDRParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The part before `/` is not an IPv4 or IPv6 address.
        case invalidAddress
        /// The part after `/` is not a decimal number within the family's bit count.
        case invalidPrefixLength
        /// The address has bits set past the prefix length.
        case hostBitsSet
    }

    public let code: Code
    /// The text that failed to parse.
    public let input: String
    /// The range the author probably meant, for `hostBitsSet`.
    public let suggestion: String?

    public init(code: Code, input: String, suggestion: String? = nil) {
        self.code = code
        self.input = input
        self.suggestion = suggestion
    }

    public var description: String {
        switch code {
        case .invalidAddress:
            return "not an IP address or CIDR range (such as 10.0.0.0/8 or 2001:db8::/32)"
        case .invalidPrefixLength:
            return "the prefix length must be a number from 0 to 32 for IPv4 or 0 to 128 for IPv6"
        case .hostBitsSet:
            let hint = suggestion.map { "; did you mean \($0)?" } ?? ""
            return "the address has bits set past the prefix length\(hint)"
        }
    }
}
