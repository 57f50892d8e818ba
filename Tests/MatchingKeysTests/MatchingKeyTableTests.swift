import Testing
@testable import MatchingKeys

/// The matching-key rules of issue 11 section 1 as a table: each row is two spellings and
/// whether they must name the same account, with the reason. A row that says "distinct" is an
/// attack that worked against the earlier `uppercased().lowercased()` fold.
@Suite("Matching keys: emails, usernames and domains under hostile Unicode")
struct MatchingKeyTableTests {
    struct PairRow: Sendable, CustomTestStringConvertible {
        let first: String
        let second: String
        let same: Bool
        let reason: String
        var testDescription: String { reason }
    }

    static let emailRows: [PairRow] = [
        PairRow(first: "admin@github.com", second: "ADMIN@GitHub.COM", same: true, reason: "ASCII letters compare case-insensitively, local part and domain"),
        PairRow(first: "admin@github.com", second: "admin@gıthub.com", same: false, reason: "dotless ı: gıthub.com is the registrable xn--gthub-n4a.com"),
        PairRow(first: "admin@github.com", second: "admin@gİthub.com", same: false, reason: "dotted capital İ maps to i + combining dot, another domain"),
        PairRow(first: "strasse@example.com", second: "straße@example.com", same: false, reason: "ß in the local part is not ss"),
        PairRow(first: "a@strasse.de", second: "a@straße.de", same: false, reason: "ß in a domain stays ß (non-transitional): xn--strae-oqa.de"),
        PairRow(first: "a@sigma.gr", second: "a@ςigma.gr", same: false, reason: "final sigma is its own registrable domain"),
        PairRow(first: "sam@example.com", second: "ſam@example.com", same: false, reason: "long s ſ is not s"),
        PairRow(first: "fish@example.com", second: "ﬁsh@example.com", same: false, reason: "the ﬁ ligature is not fi"),
        PairRow(first: "kim@example.com", second: "\u{212A}im@example.com", same: false, reason: "the Kelvin sign normalises to ASCII K and must not open kim@"),
        PairRow(first: "Kim@example.com", second: "\u{212A}im@example.com", same: false, reason: "not even an exact ASCII spelling"),
        PairRow(first: "a@github.com", second: "a@ｇｉｔｈｕｂ.com", same: true, reason: "fullwidth letters in a domain map to the ASCII domain (UTS #46)"),
        PairRow(first: "ａ@github.com", second: "a@github.com", same: false, reason: "a fullwidth local part is non-ASCII: identical after NFC only"),
        PairRow(first: "élodie@example.com", second: "e\u{0301}lodie@example.com", same: true, reason: "precomposed and combining accents are one text after NFC"),
        PairRow(first: "élodie@example.com", second: "Élodie@example.com", same: false, reason: "no Unicode case folding for non-ASCII local parts"),
        PairRow(first: "élodie@example.com", second: "elodie@example.com", same: false, reason: "a non-ASCII local part never equals an ASCII one"),
        PairRow(first: "a@münchen.de", second: "a@xn--mnchen-3ya.de", same: true, reason: "U-label and A-label forms of one domain"),
        PairRow(first: "a@MÜNCHEN.DE", second: "a@mu\u{0308}nchen.de", same: true, reason: "UTS #46 maps case and composes accents in a domain"),
        PairRow(first: "a@xn--gthub-n4a.com", second: "a@XN--GTHUB-N4A.COM", same: true, reason: "mixed-case punycode is one A-label"),
        PairRow(first: "a@xn--gthub-n4a.com", second: "a@github.com", same: false, reason: "the A-label of gıthub is not github"),
        PairRow(first: " alice@example.com\t", second: "alice@example.com", same: true, reason: "ASCII whitespace around the address is trimmed"),
    ]

    @Test("email pairs", arguments: emailRows)
    func emailPairs(row: PairRow) throws {
        let first = try #require(MatchingKey.email(row.first), "\(row.reason)")
        guard let second = MatchingKey.email(row.second) else {
            #expect(!row.same, "\(row.reason): \(row.second) has no key")
            return
        }
        #expect(first.utf8.elementsEqual(second.utf8) == row.same, "\(row.reason): \(first) / \(second)")
    }

    struct KeyRow: Sendable, CustomTestStringConvertible {
        let input: String
        let key: String?
        let reason: String
        var testDescription: String { reason }
    }

    static let emailKeyRows: [KeyRow] = [
        KeyRow(input: "Admin@GitHub.com", key: "admin@github.com", reason: "ASCII is lower-cased"),
        KeyRow(input: "admin@gıthub.com", key: "admin@xn--gthub-n4a.com", reason: "the domain's ASCII form is what is stored"),
        KeyRow(input: "\u{212A}im@example.com", key: nil, reason: "a local part whose NFC form is ASCII although it was not has no key"),
        KeyRow(input: "a@ex_ample.com", key: nil, reason: "an underscore is no host name (libidn2 would drop it and make example.com)"),
        KeyRow(input: "a@ex＿ample.com", key: nil, reason: "nor is a fullwidth underscore, which maps to one"),
        KeyRow(input: "a@[127.0.0.1]", key: nil, reason: "an address literal is not matchable"),
        KeyRow(input: "a@127.0.0.1", key: nil, reason: "nor a dotted number"),
        KeyRow(input: "a@xn--zz.com", key: nil, reason: "invalid punycode does not convert"),
        KeyRow(input: "a@example.com.", key: nil, reason: "a trailing dot is an empty label"),
        KeyRow(input: "a@exa..mple.com", key: nil, reason: "an empty label"),
        KeyRow(input: "a@-example.com", key: nil, reason: "a label may not start with a hyphen"),
        KeyRow(input: "a@e\u{200D}xample.com", key: nil, reason: "a zero-width joiner out of context is refused by IDNA"),
        KeyRow(input: "a@exam\rple.com", key: nil, reason: "a control character in a domain is refused before libidn2 could drop it"),
        KeyRow(input: "a@exam\u{10}ple.com", key: nil, reason: "any control character"),
        KeyRow(input: "a b@example.com", key: nil, reason: "whitespace inside an address"),
        KeyRow(input: "a\u{0}b@example.com", key: nil, reason: "a control character inside an address"),
        KeyRow(input: "example.com", key: nil, reason: "no @"),
        KeyRow(input: "@example.com", key: nil, reason: "an empty local part"),
        KeyRow(input: "a@", key: nil, reason: "an empty domain"),
        KeyRow(input: "   ", key: nil, reason: "blank"),
        KeyRow(input: String(repeating: "a", count: 65) + "@example.com", key: nil, reason: "a local part over 64 bytes"),
        KeyRow(input: "x@" + String(repeating: "a", count: 64) + ".com", key: nil, reason: "a label over 63 bytes"),
    ]

    @Test("email keys", arguments: emailKeyRows)
    func emailKeys(row: KeyRow) {
        #expect(MatchingKey.email(row.input) == row.key, "\(row.reason)")
    }

    static let usernameRows: [PairRow] = [
        PairRow(first: "Alice", second: "alice", same: true, reason: "ASCII usernames compare case-insensitively"),
        PairRow(first: "christina", second: "chrıstina", same: false, reason: "dotless ı is not i"),
        PairRow(first: "root", second: "ROOT", same: true, reason: "ASCII case"),
        PairRow(first: "José", second: "Jose\u{0301}", same: true, reason: "NFC"),
        PairRow(first: "José", second: "josé", same: false, reason: "no Unicode case folding"),
        PairRow(first: "kim", second: "\u{212A}im", same: false, reason: "the Kelvin sign"),
    ]

    @Test("username pairs", arguments: usernameRows)
    func usernamePairs(row: PairRow) throws {
        let first = try #require(MatchingKey.username(row.first))
        let second = MatchingKey.username(row.second)
        #expect((second.map { first.utf8.elementsEqual($0.utf8) } ?? false) == row.same, "\(row.reason)")
    }

    static let domainRows: [KeyRow] = [
        KeyRow(input: "GitHub.com", key: "github.com", reason: "case"),
        KeyRow(input: "ｇｉｔｈｕｂ.com", key: "github.com", reason: "fullwidth"),
        KeyRow(input: "gıthub.com", key: "xn--gthub-n4a.com", reason: "dotless ı is its own domain"),
        KeyRow(input: "straße.de", key: "xn--strae-oqa.de", reason: "ß is kept (non-transitional)"),
        KeyRow(input: "ex_ample.com", key: nil, reason: "not a host name"),
    ]

    @Test("domain keys", arguments: domainRows)
    func domainKeys(row: KeyRow) {
        #expect(MatchingKey.domain(row.input) == row.key, "\(row.reason)")
    }

    @Test("an allow-list compares domain keys: gıthub.com is not github.com, and a bad entry allows nothing")
    func allowList() {
        #expect(EmailDomainAllowList(["github.com"]).allows(emailKey: MatchingKey.email("x@GitHub.com")))
        #expect(!EmailDomainAllowList(["github.com"]).allows(emailKey: MatchingKey.email("x@gıthub.com")))
        #expect(EmailDomainAllowList(["GITHUB.com"]).allows(emailKey: MatchingKey.email("x@ｇｉｔｈｕｂ.com")))
        #expect(!EmailDomainAllowList(["github.com"]).allows(emailKey: MatchingKey.email("x@mail.github.com")), "no subdomains")
        #expect(!EmailDomainAllowList(["github.com"]).allows(emailKey: nil), "no key, no entry")
        #expect(!EmailDomainAllowList(["ex_ample.com"]).allows(emailKey: MatchingKey.email("x@example.com")),
                "an entry that does not convert allows nothing, and never turns the list into 'any'")
        #expect(EmailDomainAllowList([]).allows(emailKey: nil), "an empty list allows everyone")
    }

    static let skeletonRows: [PairRow] = [
        PairRow(first: "alice", second: "ALICE", same: true, reason: "case"),
        PairRow(first: "alice", second: "ａｌｉｃｅ", same: true, reason: "width"),
        PairRow(first: "paypal", second: "раураl", same: true, reason: "Cyrillic look-alikes"),
        PairRow(first: "modern", second: "rnodern", same: true, reason: "rn looks like m"),
        PairRow(first: "admin", second: "adm1n", same: false, reason: "a digit one is not a confusable of i"),
        PairRow(first: "kim", second: "\u{212A}im", same: true, reason: "the Kelvin sign"),
        PairRow(first: "christina", second: "chrıstina", same: true, reason: "dotless ı"),
        PairRow(first: "alice", second: "bob", same: false, reason: "different names"),
    ]

    @Test("username skeletons (TR39) catch case, width and look-alikes", arguments: skeletonRows)
    func skeletons(row: PairRow) throws {
        let first = try #require(MatchingKey.usernameSkeleton(row.first))
        let second = try #require(MatchingKey.usernameSkeleton(row.second))
        #expect((first == second) == row.same, "\(row.reason): \(first) / \(second)")
    }

    @Test("keys are compared as bytes: NFC makes one byte sequence of canonically equivalent spellings")
    func keysAreNFCBytes() throws {
        let composed = try #require(MatchingKey.email("élodie@example.com"))
        let decomposed = try #require(MatchingKey.email("e\u{0301}lodie@example.com"))
        #expect(Array(composed.utf8) == Array(decomposed.utf8))
    }
}
