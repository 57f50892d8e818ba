/// The one place that decides when two emails, two usernames or two domains name the same
/// thing. Everything that compares them uses these keys: the linking engine, the stored
/// `email_key` and `username_key` columns, `allowed_email_domains` (of providers and of
/// protected hosts), and the password sign-in's lookup and throttle. A key is computed once,
/// stored or carried as it is, and compared byte for byte, so the engine and the database can
/// never disagree (Swift's `==` on strings treats canonically equivalent text as equal; SQLite
/// compares bytes).
///
/// The rules, and why:
/// - **Domain**: IDNA2008 with UTS #46 non-transitional processing through libidn2, then
///   ASCII lower case (`DomainName`). `ß`, `ς` and `ı` stay distinct: `gıthub.com` is a
///   registrable domain of its own. Fullwidth letters map to the ASCII domain. A domain that
///   does not convert has no key: it matches nothing and no allow-list allows it.
/// - **Local part** (and **username**): when all ASCII, letters compare case-insensitively.
///   When it holds any non-ASCII character as received, it compares only with another
///   non-ASCII local part identical after NFC, never with an ASCII one: a text whose NFC form is
///   all ASCII although it was not (the Kelvin sign `K` in `Kim`, normalising to ASCII `K`) has
///   no key at all, so it can never open `kim@`.
/// - No other Unicode case folding happens anywhere in matching: `uppercased().lowercased()`
///   mapped `ı` to `i`, `ß` to `ss`, `ſ` to `s`, `ﬁ` to `fi` and the Kelvin sign to `k`, and
///   each of those signed a stranger in as an existing user.
public enum MatchingKey {
    /// The key of an email address: `<local key>@<domain key>`, or nil when it has none
    /// (no `@`, an empty side, whitespace or control characters inside, a domain that does not
    /// convert, a local part of over 64 bytes).
    public static func email(_ raw: String) -> String? {
        let address = trimmedASCIIWhitespace(raw)
        guard !address.isEmpty, address.utf8.count <= UnicodeForms.maximumBytes,
              let at = address.lastIndex(of: "@") else { return nil }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard local.utf8.count <= 64, let localKey = textKey(local), let domainKey = DomainName.asciiKey(domain) else { return nil }
        return localKey + "@" + domainKey
    }

    /// The key of a username, by the local part's rule, or nil when it has none.
    public static func username(_ raw: String) -> String? {
        let name = trimmedASCIIWhitespace(raw)
        guard name.utf8.count <= 255 else { return nil }
        return textKey(name)
    }

    /// The key of a domain as configured (`allowed_email_domains`), or nil when it does not convert.
    public static func domain(_ raw: String) -> String? {
        DomainName.asciiKey(trimmedASCIIWhitespace(raw))
    }

    /// The domain part of an email key (everything after its last `@`).
    public static func domain(ofEmailKey key: String) -> Substring? {
        guard let at = key.lastIndex(of: "@") else { return nil }
        return key[key.index(after: at)...]
    }

    /// The confusable skeleton of a username (Unicode TR39, after NFKC case folding): two
    /// usernames with one skeleton differ only by case, width or look-alike characters, and the
    /// second is refused at creation. Nil when the name is too long to compute one.
    public static func usernameSkeleton(_ raw: String) -> String? {
        UnicodeForms.foldedSkeleton(String(trimmedASCIIWhitespace(raw)))
    }

    // MARK: - Parts

    /// An ASCII text lower-cased; a non-ASCII one in NFC, unless its NFC form is all ASCII.
    /// Whitespace and control characters inside make a text unmatchable.
    static func textKey(_ text: Substring) -> String? {
        guard !text.isEmpty, !text.unicodeScalars.contains(where: isSpaceOrControl) else { return nil }
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return lowercasedASCII(text) }
        guard let composed = UnicodeForms.nfc(String(text)), composed.utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        return composed
    }

    private static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }

    /// Space, tab, line feed, vertical tab, form feed and carriage return at either end.
    static func trimmedASCIIWhitespace(_ raw: String) -> Substring {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        let bytes = raw.utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return raw[raw.endIndex...] }
        return raw[first...last]
    }
}
