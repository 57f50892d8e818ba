import Glibc

/// Picks the one key that may verify a token, or says precisely why there is none.
///
/// With a `kid`: the keys whose `kid` equals it byte for byte (no Unicode normalisation), of which
/// exactly one must be usable for the algorithm. Without a `kid`: exactly one key in the whole set
/// must be usable. Never "try every key" (one bad key would then be as good as any), never a
/// default key. `unknownKeyID` is kept apart from other failures because it is the one case where
/// refetching the provider's key set can help (key rotation).
enum KeySelection {
    static func select(for algorithm: JWSAlgorithm, keyID: String?, in keySet: JSONWebKeySet) throws(JOSEError) -> JSONWebKey {
        // One pass, no intermediate arrays: this runs once per token. It walks indices and reads
        // the keys in place; `for key in keys` would copy every key (retaining each of its
        // strings and its OpenSSL key) just to look at its kid.
        var kidMatches = 0
        var usableIndex: Int?
        var usableCount = 0
        var lastReason: String?
        let keys = keySet.keys
        for index in keys.indices {
            if let keyID {
                guard let own = keys[index].keyID, Self.sameBytes(own, keyID) else { continue }
                kidMatches += 1
            }
            if let reason = keys[index].unusableReason(for: algorithm) {
                lastReason = reason
            } else {
                usableIndex = index
                usableCount += 1
            }
        }
        if let keyID, kidMatches == 0 {
            // The kid itself is attacker-controlled: report its length, never its text.
            throw .unknownKeyID("no key in the set has the token's kid (\(keyID.utf8.count) bytes)")
        }
        let scope = keyID == nil ? "" : " with the token's kid"
        if usableCount > 1 {
            throw .ambiguousKey("\(usableCount) keys\(scope) may verify \(algorithm)\(keyID == nil ? " and the token has no kid" : "")")
        }
        guard let usableIndex else {
            throw .noSuitableKey("no key\(scope) may verify \(algorithm)\(lastReason.map { ": \($0)" } ?? "")")
        }
        return keys[usableIndex]
    }

    /// Byte-for-byte equality: memcmp over the contiguous UTF-8 buffers, lengths first. `==` on
    /// `String` would compare by Unicode equivalence, and walking two `UTF8View`s is slow.
    /// `withContiguousStorageIfAvailable` reads the strings in place (`withUTF8` would need a
    /// mutable copy of each, a retain and a release apiece).
    private static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        let compared = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                guard left.count == right.count else { return false }
                // Equal lengths: both addresses are there, or both buffers are empty.
                guard let leftBytes = left.baseAddress, let rightBytes = right.baseAddress else { return true }
                return memcmp(leftBytes, rightBytes, left.count) == 0
            }
        }
        if let result = compared ?? nil { return result }
        // Strings without contiguous UTF-8 (bridged from elsewhere; never made by our parser).
        return lhs.utf8.elementsEqual(rhs.utf8)
    }
}
