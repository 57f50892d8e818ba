internal import CICU

/// The two Unicode transformations matching needs, through ICU (Debian `libicu-dev`): NFC, so
/// that canonically equivalent spellings of one text have one byte sequence, and the TR39
/// confusable skeleton, so that look-alike usernames can be refused at creation.
///
/// Inputs longer than `maximumBytes` have no form (nil): every identifier Gatehouse keeps is far
/// shorter, and the bound keeps the work per call small and fixed.
enum UnicodeForms {
    static let maximumBytes = 1024

    /// The NFC form, or nil when the text is too long.
    static func nfc(_ text: String) -> String? {
        transform(text, gatehouse_icu_nfc)
    }

    /// The TR39 skeleton of the text after NFKC case folding: two texts that differ only by
    /// case, width or confusable characters (Latin `a` and Cyrillic `а`, `rn` and `m`) have the
    /// same one. Used only to refuse look-alike usernames, never to match anyone.
    static func foldedSkeleton(_ text: String) -> String? {
        transform(text, gatehouse_icu_folded_skeleton)
    }

    private typealias Transformation = (UnsafePointer<CChar>, Int32, UnsafeMutablePointer<CChar>, Int32) -> Int32

    private static func transform(_ text: String, _ transformation: Transformation) -> String? {
        let count = text.utf8.count
        guard count <= maximumBytes else { return nil }
        // A skeleton can be longer than its input (one character may map to several); ICU's
        // UTF-16 buffers are capped at GATEHOUSE_ICU_MAXIMUM_UNITS, and each unit is at most
        // three UTF-8 bytes.
        let capacity = 3 * Int(GATEHOUSE_ICU_MAXIMUM_UNITS)
        var output = [CChar](repeating: 0, count: capacity)
        let length = text.withCString { input in
            transformation(input, Int32(count), &output, Int32(capacity))
        }
        guard length >= 0 else { return nil }
        return String(decoding: output.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
