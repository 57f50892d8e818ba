/// The canonical text of a uniqueness attribute's value: what keys an identity.
///
/// OpenLDAP's `entryUUID` is already text (RFC 4530). Active Directory's `objectGUID` is 16
/// bytes whose first three fields are little-endian; its canonical form (what AD tools print)
/// swaps them back: `{33221100-5544-7766-8899-aabbccddeeff}` without braces, lower case.
public enum UniqueIdentifier {
    public static func text(attribute: String, value: [UInt8]) -> String? {
        guard !value.isEmpty else { return nil }
        if attribute.lowercased() == "objectguid" {
            guard value.count == 16 else { return nil }
            let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
            let hex = order.map { index in
                let text = String(value[index], radix: 16)
                return text.count == 1 ? "0" + text : text
            }
            return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
                + hex[8..<10].joined() + "-" + hex[10..<16].joined()
        }
        let text = String(decoding: value, as: UTF8.self)
        return text.isEmpty ? nil : text.lowercased()
    }
}
