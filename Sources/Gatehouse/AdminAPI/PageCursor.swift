import Crypto

/// The opaque `cursor` of a listing: where the previous page ended, which clients hand back
/// and never read. Versioned (`p1:`), so its form can change without misreading old ones.
enum PageCursor {
    static func encode(_ after: Int64) -> String {
        Base64URL.encode(Array("p1:\(after)".utf8))
    }

    /// Nil for anything this API did not give.
    static func decode(_ cursor: String) -> Int64? {
        guard cursor.utf8.count <= 64, let bytes = try? Base64URL.decode(cursor) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("p1:"), let after = Int64(text.dropFirst(3)), after > 0, text == "p1:\(after)" else { return nil }
        return after
    }
}
