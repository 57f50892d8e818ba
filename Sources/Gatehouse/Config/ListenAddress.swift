import HTTP

/// Parsing of `server.listen` entries into the HTTP target's `ListenAddress`.
///
/// The host must be an IP literal: a name could resolve to several addresses, or to a
/// different one tomorrow, and which interface is exposed should be exactly what was written.
extension ListenAddress {
    /// Parses `host:port`, with an IPv6 host in brackets (`[::1]:8080`).
    static func parse(_ text: String) -> Result<ListenAddress, ConfigValueError> {
        let shape = "expected \"host:port\" such as \"127.0.0.1:8080\" or \"[::1]:8080\", found \(ConfigText.quoted(text))"
        let hostText: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(ConfigValueError(message: shape)) }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(ConfigValueError(message: shape)) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(ConfigValueError(message: shape)) }
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
            if hostText.contains(":") {
                return .failure(ConfigValueError(message: "an IPv6 host must be in brackets, as in \"[::1]:8080\"; found \(ConfigText.quoted(text))"))
            }
        }
        guard !hostText.isEmpty else {
            return .failure(ConfigValueError(message: "the host is missing; write \"0.0.0.0:PORT\" or \"[::]:PORT\" to listen on every interface, found \(ConfigText.quoted(text))"))
        }
        guard let address = IPAddress(String(hostText)) else {
            return .failure(ConfigValueError(message: "the host must be an IP address such as 127.0.0.1 or [::1], found \(ConfigText.quoted(String(hostText)))"))
        }
        let expectIPv6 = text.hasPrefix("[")
        guard (address.family == .ipv6) == expectIPv6 else {
            return .failure(ConfigValueError(message: "only IPv6 addresses go in brackets, found \(ConfigText.quoted(text))"))
        }
        guard let port = PortNumber.parse(portText) else {
            return .failure(ConfigValueError(message: "the port must be a number from 1 to 65535, found \(ConfigText.quoted(String(portText)))"))
        }
        // The canonical form, so "[0::1]" and "[::1]" are recognised as one address.
        return .success(ListenAddress(host: address.description, port: UInt16(port)))
    }

    /// Whether binding both would clash: the same port and address family, and the same host
    /// or that family's wildcard (`0.0.0.0`, `::`) on either side. The families never clash:
    /// the listener binds IPv6 with `IPV6_V6ONLY`.
    func clashes(with other: ListenAddress) -> Bool {
        guard port == other.port, isIPv6 == other.isIPv6 else { return false }
        let wildcard = isIPv6 ? "::" : "0.0.0.0"
        return host == other.host || host == wildcard || other.host == wildcard
    }
}

/// TCP port numbers as written in addresses and URLs.
enum PortNumber {
    /// 1 to 65535 in plain decimal digits (no sign, no leading zero); `nil` otherwise.
    static func parse(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.first != "0",
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(text), (1...65535).contains(value)
        else { return nil }
        return value
    }
}

extension ConfigValueKind where T == ListenAddress {
    static var listenAddress: ConfigValueKind<ListenAddress> {
        .text(expected: "a \"host:port\" string", ListenAddress.parse)
    }
}
