import Glibc
import Synchronization

/// The JWS headers parsed most recently, each by the exact base64url text it was parsed from.
///
/// Why: every token a provider signs with one key carries the same header bytes
/// (`{"alg":"RS256","kid":"…","typ":"JWT"}`), and decoding and parsing them again cost about a
/// tenth of an RS256 verification outside the signature check itself. A `JOSEHeader` depends on
/// its bytes alone, so a hit hands back exactly what parsing would have made; the text is
/// compared in full, byte for byte, never by a hash. Only headers that parsed are kept: a
/// refused one is parsed, and refused, again every time.
///
/// Memory is bounded: `capacity` entries of at most `maximumTextBytes` each. A stream of
/// distinct headers (an attacker's, or many providers') only replaces entries in turn.
final class JOSEHeaderCache: Sendable {
    /// The cache `UnverifiedJWS.parse` uses.
    static let shared = JOSEHeaderCache()

    /// Header texts longer than this are parsed every time. Real ones are about a hundred bytes.
    static let maximumTextBytes = 512
    /// A handful of providers with a key or two each, during a rotation.
    static let capacity = 8

    private struct Entry {
        let text: [UInt8]
        let header: JOSEHeader
    }

    private struct Entries {
        var items: [Entry] = []
        /// Which entry the next insertion replaces once `items` is full.
        var nextReplaced = 0
    }

    private let entries = Mutex(Entries())

    init() {}

    /// The header `text` (base64url, as in the token) decodes and parses to, from the cache when
    /// the same text was parsed before.
    func header(forEncoded text: UnsafeBufferPointer<UInt8>) throws(JOSEError) -> JOSEHeader {
        if text.count <= Self.maximumTextBytes, let cached = lookUp(text) { return cached }
        let header = try JOSEHeader(encoded: text)
        if text.count <= Self.maximumTextBytes { insert(Entry(text: Array(text), header: header)) }
        return header
    }

    /// How many headers are kept now (for tests).
    var count: Int { entries.withLock { $0.items.count } }

    private func lookUp(_ text: UnsafeBufferPointer<UInt8>) -> JOSEHeader? {
        entries.withLock { entries in
            for entry in entries.items where entry.text.count == text.count {
                let same = entry.text.withUnsafeBufferPointer { kept in
                    guard let keptBase = kept.baseAddress, let textBase = text.baseAddress else { return true }  // both empty
                    return memcmp(keptBase, textBase, text.count) == 0
                }
                if same { return entry.header }
            }
            return nil
        }
    }

    private func insert(_ entry: Entry) {
        entries.withLock { entries in
            // Two threads may parse the same new header at once; keep it once.
            if entries.items.contains(where: { $0.text == entry.text }) { return }
            if entries.items.count < Self.capacity {
                entries.items.append(entry)
            } else {
                entries.items[entries.nextReplaced] = entry
                entries.nextReplaced = (entries.nextReplaced + 1) % Self.capacity
            }
        }
    }
}
