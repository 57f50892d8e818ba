/// Where to send the person after sign-in: only a path on Gatehouse's own origin.
///
/// `next` comes from a URL anyone can craft, so it is an open-redirect vector unless it can only
/// name our own pages. Browsers resolve a `Location` generously: `//evil.example` and
/// `/\evil.example` are other hosts, tabs and newlines are dropped from the middle of URLs, and
/// `/%2F%2Fevil.example` turns into `//evil.example` wherever something decodes once too often.
/// Rather than guess every resolver's quirks, this accepts a narrow shape and falls back to `/`.
enum NextPath {
    /// Where to go when `next` is absent or refused.
    static let fallback = "/"
    /// Longer values are refused: no page of ours needs them, and they only make logs and cookies heavy.
    static let maximumLength = 2048

    /// `raw` when it is an acceptable path, otherwise `/`.
    static func validate(_ raw: String?) -> String {
        guard let raw, refusal(raw) == nil else { return fallback }
        return raw
    }

    /// Why `raw` is refused, or nil when it is accepted; `validate` is the one to call, this one
    /// lets tests and logs say which rule applied.
    static func refusal(_ raw: String) -> String? {
        let bytes = Array(raw.utf8)
        guard !bytes.isEmpty else { return "empty" }
        guard bytes.count <= maximumLength else { return "longer than \(maximumLength) bytes" }
        // Printable ASCII only: no controls (which browsers strip, joining what was apart), no
        // spaces, no raw non-ASCII (Unicode whitespace and look-alike slashes among it).
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return "contains whitespace, control or non-ASCII characters" }
        guard bytes[0] == UInt8(ascii: "/") else { return "does not start with /: not a path on this origin" }
        guard !bytes.contains(UInt8(ascii: "\\")) else { return "contains a backslash, which browsers read as /" }
        if bytes.count > 1 && bytes[1] == UInt8(ascii: "/") { return "starts with //, a network-path reference to another host" }
        let lowered = raw.lowercased()
        for encoded in ["/%2f", "/%5c"] where lowered.hasPrefix(encoded) {
            return "starts with an encoded slash or backslash, which decodes to another host"
        }
        let path = lowered.prefix { $0 != "?" && $0 != "#" }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            if [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."].contains(segment) {
                return "has a dot segment, which resolvers collapse (/.//host becomes //host)"
            }
        }
        return nil
    }
}
