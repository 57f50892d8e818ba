internal import CIDN2

/// A domain in the one form Gatehouse compares domains by: its ASCII form per IDNA2008 with
/// UTS #46 non-transitional processing (libidn2), lower-cased, and checked as a host name.
///
/// Non-transitional processing keeps `ß`, `ς` and the dotless `ı` as themselves (each makes a
/// registrable domain of its own: `gıthub.com` is `xn--gthub-n4a.com`, not `github.com`), while
/// UTS #46 mapping turns fullwidth letters and upper case into the ASCII domain they display as.
enum DomainName {
    /// The longest domain name (RFC 1035 section 2.3.4, without the root's dot).
    static let maximumBytes = 253

    /// The ASCII form of `text`, or nil when it is not a domain Gatehouse can compare: empty,
    /// refused by IDNA, or not a host name once converted (a label outside letters, digits and
    /// inner hyphens, an empty label such as a trailing dot, a label over 63 bytes, an all-numeric
    /// last label such as an address literal).
    static func asciiKey(_ text: Substring) -> String? {
        guard !text.isEmpty, text.utf8.count <= UnicodeForms.maximumBytes else { return nil }
        // libidn2 2.3.3 silently drops the ASCII characters that the STD3 rule refuses
        // (`ex_ample.com` came back as `example.com`), so ASCII input is held to the host-name
        // alphabet before conversion, and the output to the host-name rule after it. Every
        // domain goes through libidn2, ASCII ones too: an A-label (`xn--…`) must be valid punycode
        // of a valid U-label, whatever its case.
        guard text.utf8.allSatisfy({ $0 >= 0x80 || $0 == UInt8(ascii: ".") || isLetterDigitHyphen(lowercasedASCII($0)) }),
              let converted = idnaToASCII(String(text)) else { return nil }
        let ascii = lowercasedASCII(Substring(converted))
        return isHostName(ascii) ? ascii : nil
    }

    private static func idnaToASCII(_ text: String) -> String? {
        var output: UnsafeMutablePointer<CChar>?
        let flags = Int32(IDN2_NONTRANSITIONAL.rawValue)
        let status = idn2_to_ascii_8z(text, &output, flags)
        defer { idn2_free(output) }
        guard status == Int32(IDN2_OK.rawValue), let output else { return nil }
        return String(cString: output)
    }

    /// Letters, digits and hyphens in labels of 1 to 63 bytes, no hyphen at either end of a
    /// label, at most 253 bytes, and a last label that is not all digits.
    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maximumBytes else { return false }
        let labels = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy(isLetterDigitHyphen)
            else { return false }
        }
        guard let last = labels.last, !last.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
        return true
    }

    private static func isLetterDigitHyphen(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-")
    }
}

/// ASCII letters lower-cased, every other byte as it is: the only case mapping matching does.
func lowercasedASCII(_ text: Substring) -> String {
    guard text.utf8.contains(where: isUpperASCII) else { return String(text) }
    return String(decoding: text.utf8.map(lowercasedASCII), as: UTF8.self)
}

func lowercasedASCII(_ byte: UInt8) -> UInt8 {
    isUpperASCII(byte) ? byte | 0x20 : byte
}

private func isUpperASCII(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
}
