/// DNS host names as written in `public_url` and `sessions.cookie_domain`.
enum HostName {
    /// Whether `text` is a DNS name in ASCII: dot-separated labels of letters, digits and
    /// hyphens, 1 to 63 characters each, not starting or ending with a hyphen, 253 in all.
    /// Internationalised names must be given in their `xn--` form: browsers send that form
    /// in `Origin`, so comparing against anything else would fail.
    static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-")
            }
        }
    }

    /// Whether every label is digits, as in `1.2.3.4` or `999.1`: such a host must be a valid
    /// IPv4 address, never treated as a name.
    static func looksNumeric(_ text: String) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
    }
}
