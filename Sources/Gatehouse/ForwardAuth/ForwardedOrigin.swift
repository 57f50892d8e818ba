/// The small text helpers `/auth/verify` needs, kept allocation-light for the hot path.
enum ForwardedOrigin {
    /// `scheme://host[:port]` in the form `PublicURL.origin` gives: lower-cased, and without
    /// the scheme's default port, so `https://App.Example.com:443` finds `https://app.example.com`.
    static func key(scheme: String, host: String) -> String {
        var host = Substring(host)
        if scheme == "https", host.hasSuffix(":443") { host = host.dropLast(4) }
        if scheme == "http", host.hasSuffix(":80") { host = host.dropLast(3) }
        let lowered = host.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? host.lowercased() : String(host)
        return scheme + "://" + lowered
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters, for a query value.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 3 / 2)
        for byte in text.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if unreserved {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
