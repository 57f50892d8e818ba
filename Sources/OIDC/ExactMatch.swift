/// Byte-for-byte string equality.
///
/// Swift's `==` on `String` compares by Unicode canonical equivalence, so `"é"` written as one
/// scalar equals `"e\u{301}"`. Issuers, audiences, client ids and states are identifiers that the
/// specifications compare as exact strings (OIDC Core 3.1.3.7, RFC 9207), so nothing that two
/// spellings could share may match here.
enum ExactMatch {
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }
}
