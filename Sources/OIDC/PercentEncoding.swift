/// Percent-encoding for every place Gatehouse writes parameters: the OIDC requests here, and
/// the links and redirects the server writes (`next`, end-session, forward-auth).
public enum PercentEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 section 2.3's unreserved characters, which are never encoded (and the only
    /// characters a PKCE verifier may hold, RFC 7636 section 4.1).
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// For a URL query: every byte of the UTF-8 text but the unreserved ones as `%XX` (a space
    /// is `%20`). Stricter than needed, which is what makes it safe for any value.
    public static func queryComponent(_ text: String) -> String {
        encode(text, spaceAsPlus: false)
    }

    /// For `application/x-www-form-urlencoded` (the token request body, and the Basic
    /// credentials of RFC 6749 section 2.3.1): a space is `+`, everything but the unreserved
    /// characters `%XX`.
    static func formComponent(_ text: String) -> String {
        encode(text, spaceAsPlus: true)
    }

    private static func encode(_ text: String, spaceAsPlus: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else if byte == UInt8(ascii: " ") && spaceAsPlus {
                output.append(UInt8(ascii: "+"))
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
