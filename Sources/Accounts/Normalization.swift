/// How emails and usernames are compared: trimmed and case-folded (issue 4 section 1).
///
/// Values are stored as given and compared in this form. The whole email is compared
/// case-insensitively, local part included: treating `Alice@x` and `alice@x` as two people
/// would let one register an account the other is then matched against.
public enum Normalization {
    /// The email in comparison form: ASCII whitespace trimmed, then case-folded.
    /// Returns nil when nothing is left, so an empty claim never matches an empty column.
    public static func email(_ raw: String) -> String? {
        fold(trimASCIIWhitespace(raw))
    }

    /// The username in comparison form: ASCII whitespace trimmed, then case-folded.
    public static func username(_ raw: String) -> String? {
        fold(trimASCIIWhitespace(raw))
    }

    /// The domain of an email in comparison form: what follows the last `@` of the normalised
    /// address, or nil when there is no `@`, nothing before it or nothing after it.
    public static func emailDomain(_ raw: String) -> String? {
        guard let address = email(raw), let at = address.lastIndex(of: "@") else { return nil }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return String(domain)
    }

    /// A configured domain in comparison form (`allowed_email_domains` entries).
    public static func domain(_ raw: String) -> String? {
        fold(trimASCIIWhitespace(raw))
    }

    /// Full case folding without Foundation: upper-casing first turns `ß` into `SS` and the final
    /// sigma into `Σ`, so lower-casing afterwards gives the same text for every case variant.
    /// Swift compares the result by canonical equivalence, so composed and decomposed accents match.
    private static func fold(_ text: Substring) -> String? {
        guard !text.isEmpty else { return nil }
        return text.uppercased().lowercased()
    }

    /// Space, tab, line feed, vertical tab, form feed and carriage return at either end.
    private static func trimASCIIWhitespace(_ raw: String) -> Substring {
        let isSpace: (Character) -> Bool = { [" ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\r\n"].contains($0) }
        guard let first = raw.firstIndex(where: { !isSpace($0) }),
              let last = raw.lastIndex(where: { !isSpace($0) }) else { return raw[raw.endIndex...] }
        return raw[first...last]
    }
}
