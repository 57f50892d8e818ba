/// Escapes text for HTML element content and quoted attribute values.
///
/// All five of `& < > " '` are replaced, so the same function is safe in both places;
/// everything else passes through unchanged (the page is UTF-8).
public enum HTMLEscaping {
    public static func escape(_ text: some StringProtocol) -> String {
        // Most text needs no escaping; skip the copy then.
        guard text.utf8.contains(where: { needsEscape($0) }) else { return String(text) }
        var escaped = [UInt8]()
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped += Array("&amp;".utf8)
            case UInt8(ascii: "<"): escaped += Array("&lt;".utf8)
            case UInt8(ascii: ">"): escaped += Array("&gt;".utf8)
            case UInt8(ascii: "\""): escaped += Array("&quot;".utf8)
            case UInt8(ascii: "'"): escaped += Array("&#39;".utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        default: false
        }
    }
}
