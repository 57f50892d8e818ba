/// The base64 of PHC strings: the standard alphabet (`+`, `/`) without `=` padding.
///
/// Decoding is strict: a character outside the alphabet, a length that no encoding produces,
/// or non-zero bits after the last full byte are refused, so every byte string has exactly one
/// accepted spelling.
enum PHCBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if index + 1 < bytes.count { out.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]) }
            if index + 2 < bytes.count { out.append(alphabet[Int(b2 & 0x3F)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes, or nil when `text` is not canonical unpadded base64.
    static func decode(_ text: Substring) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 != 1 else { return nil }
        var sextets: [UInt8] = []
        sextets.reserveCapacity(input.count)
        for character in input {
            let value = decodeTable[Int(character)]
            guard value != 0xFF else { return nil }
            sextets.append(value)
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var index = 0
        while index + 4 <= sextets.count {
            let (s0, s1, s2, s3) = (sextets[index], sextets[index + 1], sextets[index + 2], sextets[index + 3])
            out.append(s0 << 2 | s1 >> 4)
            out.append(s1 << 4 | s2 >> 2)
            out.append(s2 << 6 | s3)
            index += 4
        }
        switch sextets.count - index {
        case 2:
            let (s0, s1) = (sextets[index], sextets[index + 1])
            guard s1 & 0x0F == 0 else { return nil }
            out.append(s0 << 2 | s1 >> 4)
        case 3:
            let (s0, s1, s2) = (sextets[index], sextets[index + 1], sextets[index + 2])
            guard s2 & 0x03 == 0 else { return nil }
            out.append(s0 << 2 | s1 >> 4)
            out.append(s1 << 4 | s2 >> 2)
        default:
            break
        }
        return out
    }
}
