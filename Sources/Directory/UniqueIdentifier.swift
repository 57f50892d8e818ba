/// The canonical text of a uniqueness attribute's value: what keys an identity.
///
/// OpenLDAP's `entryUUID` is already text (RFC 4530). Active Directory's `objectGUID` is 16
/// bytes whose first three fields are little-endian; its canonical form (what AD tools print)
/// swaps them back: `{33221100-5544-7766-8899-aabbccddeeff}` without braces, lower case.
///
/// Any other value is text only when every byte is printable ASCII: that text, lower-cased,
/// as identifiers such as `nsUniqueId` or `ipaUniqueID` compare. Every other value (a binary
/// `objectSid`, `mS-DS-ConsistencyGuid` or eDirectory `GUID`, or non-ASCII text) is `hex:` and
/// its bytes in lower-case hexadecimal, so two different values never share a key: decoded as
/// UTF-8, invalid bytes would all become U+FFFD, and Unicode case mapping joins distinct
/// characters (the Kelvin sign and `k`). Printable text that itself begins with `hex:` is
/// written in hexadecimal too, so it cannot pass for another value's key.
public enum UniqueIdentifier {
    static let hexPrefix = "hex:"

    public static func text(attribute: String, value: [UInt8]) -> String? {
        guard !value.isEmpty else { return nil }
        if attribute.lowercased() == "objectguid" {
            guard value.count == 16 else { return nil }
            let hex = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15].map { hexDigits(value[$0]) }
            return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
                + hex[8..<10].joined() + "-" + hex[10..<16].joined()
        }
        if value.allSatisfy({ (0x20...0x7E).contains($0) }) {
            let text = String(decoding: value, as: UTF8.self).lowercased()
            if !text.hasPrefix(hexPrefix) { return text }
        }
        return hexPrefix + value.map(hexDigits).joined()
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16)
        return text.count == 1 ? "0" + text : text
    }
}
