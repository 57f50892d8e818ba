/// The one place typed text enters an LDAP filter (RFC 4515 section 3): every byte that has
/// a meaning in a filter (`*`, `(`, `)`, `\`, NUL) becomes `\XX`, so `*)(uid=*` is matched as
/// literal text and can never widen or rewrite the service account's search.
public enum FilterEscaping {
    public static func value(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            // Bytes beyond ASCII are escaped too (the RFC allows any byte escaped): the filter
            // stays ASCII whatever was typed, and the server still compares the same UTF-8.
            let special = byte == UInt8(ascii: "*") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
                || byte == UInt8(ascii: "\\") || byte == 0 || byte >= 0x80
            if special {
                escaped += "\\" + String(byte, radix: 16).leftPadded(to: 2)
            } else {
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return escaped
    }

    /// `(|(uid=V)(mail=V))` for the login attributes, ANDed with the user filter: the entry
    /// search of a sign-in. `attributes` come from the configuration, `typed` from the person.
    public static func loginFilter(userFilter: String, attributes: [String], typed: String) -> String {
        let value = value(typed)
        let alternatives = attributes.map { "(\($0)=\(value))" }.joined()
        let either = attributes.count == 1 ? alternatives : "(|\(alternatives))"
        return "(&\(userFilter)\(either))"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
