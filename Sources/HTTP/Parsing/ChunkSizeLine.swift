/// The line that opens each chunk of a chunked body (RFC 9112 section 7.1):
/// `chunk-size [ chunk-ext ] CRLF`.
enum ChunkSizeLine {
    /// Returns the chunk size of a line given without its CRLF.
    ///
    /// The size is `1*HEXDIG` with nothing before it (no sign, no space) and must fit in an
    /// `Int`. Extensions are checked against the grammar and then ignored: no extension is
    /// defined that we would act on. The caller caps the line length (`maxChunkLineBytes`).
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = ByteClass.hexValue(line[index]) {
            guard size <= Int.max >> 4 else { throw .badRequest("chunk size overflows") }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { throw .badRequest("invalid chunk size") }
        guard isValidExtensionList(line.slice(index..<line.count)) else {
            throw .badRequest("invalid chunk extension")
        }
        return size
    }

    /// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`,
    /// with `chunk-ext-val = token / quoted-string`.
    static func isValidExtensionList(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        func skipWhitespace() {
            while index < count, ByteClass.isWhitespace(bytes[index]) { index += 1 }
        }
        func skipToken() -> Bool {
            let start = index
            while index < count, ByteClass.isTokenChar(bytes[index]) { index += 1 }
            return index > start
        }
        while index < count {
            skipWhitespace()
            guard index < count, bytes[index] == ByteClass.semicolon else { return false }
            index += 1
            skipWhitespace()
            guard skipToken() else { return false }
            let afterName = index
            skipWhitespace()
            guard index < count, bytes[index] == ByteClass.equals else {
                index = afterName  // whitespace is only allowed before a `=` or a `;`
                continue
            }
            index += 1
            skipWhitespace()
            guard index < count else { return false }
            if bytes[index] == ByteClass.quote {
                guard let end = quotedStringEnd(bytes, openingQuote: index) else { return false }
                index = end
            } else if !skipToken() {
                return false
            }
        }
        return true
    }

    /// The index just past the closing quote of the quoted-string opening at `openingQuote`,
    /// or nil when it is unterminated or holds a byte that qdtext / quoted-pair forbid.
    private static func quotedStringEnd(_ bytes: UnsafeBufferPointer<UInt8>, openingQuote: Int) -> Int? {
        var index = openingQuote + 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case ByteClass.quote:
                return index + 1
            case ByteClass.backslash:
                guard index + 1 < bytes.count, ByteClass.isFieldValueChar(bytes[index + 1]) else { return nil }
                index += 2
            default:
                guard ByteClass.isFieldValueChar(byte) else { return nil }
                index += 1
            }
        }
        return nil
    }
}
