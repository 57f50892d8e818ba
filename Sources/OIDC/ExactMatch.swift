import Glibc

/// Byte-for-byte string equality.
///
/// Swift's `==` on `String` compares by Unicode canonical equivalence, so `"é"` written as one
/// scalar equals `"e\u{301}"`. Issuers, audiences, client ids and states are identifiers that the
/// specifications compare as exact strings (OIDC Core 3.1.3.7, RFC 9207), so nothing that two
/// spellings could share may match here.
enum ExactMatch {
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        // memcmp over the contiguous UTF-8 buffers, lengths first: walking two `UTF8View`s element
        // by element costs more than the rest of a claim check, and this runs several times per
        // token. `withContiguousStorageIfAvailable` reads the strings where they are; `withUTF8`
        // would need a mutable copy of each, a retain and a release apiece.
        let compared = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in sameBytes(left, right) }
        }
        if let result = compared ?? nil { return result }
        // Strings without contiguous UTF-8 (bridged from elsewhere; never made by our parser).
        return lhs.utf8.elementsEqual(rhs.utf8)
    }

    private static func sameBytes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        // Equal lengths: both addresses are there, or both buffers are empty.
        guard let leftBytes = left.baseAddress, let rightBytes = right.baseAddress else { return true }
        return memcmp(leftBytes, rightBytes, left.count) == 0
    }
}
