/// Picks the one key that may verify a token, or says precisely why there is none.
///
/// With a `kid`: the keys whose `kid` equals it byte for byte (no Unicode normalisation), of which
/// exactly one must be usable for the algorithm. Without a `kid`: exactly one key in the whole set
/// must be usable. Never "try every key" (one bad key would then be as good as any), never a
/// default key. `unknownKeyID` is kept apart from other failures because it is the one case where
/// refetching the provider's key set can help (key rotation).
enum KeySelection {
    static func select(for algorithm: JWSAlgorithm, keyID: String?, in keySet: JSONWebKeySet) throws(JOSEError) -> JSONWebKey {
        let candidates: [JSONWebKey]
        if let keyID {
            candidates = keySet.keys.filter { key in
                guard let own = key.keyID else { return false }
                return own.utf8.elementsEqual(keyID.utf8)
            }
            if candidates.isEmpty {
                // The kid itself is attacker-controlled: report its length, never its text.
                throw .unknownKeyID("no key in the set has the token's kid (\(keyID.utf8.count) bytes)")
            }
        } else {
            candidates = keySet.keys
        }

        var usable: [JSONWebKey] = []
        var lastReason: String?
        for key in candidates {
            if let reason = key.unusableReason(for: algorithm) {
                lastReason = reason
            } else {
                usable.append(key)
            }
        }
        switch usable.count {
        case 1:
            return usable[0]
        case 0:
            let why = lastReason.map { ": \($0)" } ?? ""
            throw .noSuitableKey("no key in the set may verify \(algorithm)\(keyID == nil ? "" : " with the token's kid")\(why)")
        default:
            throw .ambiguousKey("\(usable.count) keys may verify \(algorithm)\(keyID == nil ? " and the token has no kid" : " under the same kid")")
        }
    }
}
