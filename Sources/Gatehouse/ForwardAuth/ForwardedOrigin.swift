/// The origin key `/auth/verify` compares protected hosts by, kept allocation-light for the hot path.
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
}
