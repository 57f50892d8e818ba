import Testing
@testable import JSON

/// The string scan skips eight bytes at a time; these tests put every kind of byte it must stop
/// at in every position of a word and at every distance from the string's start and end.
@Suite("JSON string scan, eight bytes at a time")
struct JSONStringScanTests {
    /// A byte the scan must look at: it ends the string, starts an escape, is refused, or is not ASCII.
    static func needsLook(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80
    }

    @Test("a word is flagged exactly when it holds a byte that needs a look, in any position",
          arguments: [UInt8(ascii: "a"), 0x20, 0x7F, 0x21, 0x23, 0x5B, 0x5D])
    func everyByteEveryPosition(filler: UInt8) {
        // Fillers are ASCII bytes that need no look, among them the neighbours of quote (0x21,
        // 0x23) and backslash (0x5B, 0x5D) and the edges 0x20 and 0x7F.
        for byte in 0...UInt8.max {
            for position in 0..<8 {
                var bytes = [UInt8](repeating: filler, count: 8)
                bytes[position] = byte
                let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                #expect((JSONParser.lookMask(word) != 0) == Self.needsLook(byte), "byte \(byte) at \(position) among \(filler)")
            }
        }
    }

    @Test("a word of bytes that need no look is never flagged")
    func plainWords() {
        let plain = (0...UInt8.max).filter { !Self.needsLook($0) }
        // Every plain byte in every position, with a varying plain background.
        for (offset, byte) in plain.enumerated() {
            var bytes = (0..<8).map { plain[($0 * 13 + offset) % plain.count] }
            bytes[offset % 8] = byte
            let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            #expect(JSONParser.lookMask(word) == 0, "\(bytes)")
        }
    }

    /// What goes at each position of a long string, and what it parses to (nil: refused).
    static let insertions: [(raw: String, decoded: String?, reason: String)] = [
        (#"\n"#, "\n", "an escape is decoded"),
        (#"\""#, "\"", "an escaped quote does not end the string"),
        (#"\\"#, "\\", "an escaped backslash"),
        (#"\u00e9"#, "\u{E9}", "a \\u escape"),
        ("\u{E9}", "\u{E9}", "raw two-byte UTF-8"),
        ("\u{1F600}", "\u{1F600}", "raw four-byte UTF-8"),
        ("\u{01}", nil, "a raw control character is refused"),
        ("\u{1F}", nil, "the highest control character is refused"),
        ("\t", nil, "a raw tab is refused"),
        (" ", " ", "a space is plain"),
        ("\u{7F}", "\u{7F}", "DEL is not a JSON control character"),
    ]

    @Test("every special byte is handled at every offset of a string", arguments: insertions)
    func insertionAtEveryOffset(_ insertion: (raw: String, decoded: String?, reason: String)) {
        for before in 0..<20 {
            for after in [0, 1, 7, 8, 9, 17] {
                let head = String(repeating: "a", count: before), tail = String(repeating: "b", count: after)
                let text = "{\"k\":\"\(head)\(insertion.raw)\(tail)\",\"z\":1}"
                let parsed = try? JSONValue.parseObjectMembers(Array(text.utf8))
                if let decoded = insertion.decoded {
                    #expect(parsed?.first?.value == .string(head + decoded + tail), "\(insertion.reason), \(before) + \(after)")
                } else {
                    #expect(parsed == nil, "\(insertion.reason), \(before) + \(after)")
                }
            }
        }
    }

    @Test("invalid UTF-8 and an unclosed string are refused wherever they fall", arguments: [
        ([0xFF], "a byte never valid in UTF-8"),
        ([0xC3], "a truncated two-byte sequence"),
        ([0xED, 0xA0, 0x80], "an encoded surrogate"),
    ] as [([UInt8], String)])
    func invalidUTF8(_ bad: [UInt8], _ reason: String) {
        for before in 0..<20 {
            let bytes = Array("{\"k\":\"".utf8) + [UInt8](repeating: 0x61, count: before) + bad + Array("abcdefghij\"}".utf8)
            #expect(errorCode { try JSONValue.parseObjectMembers(bytes) } == .invalidString, "\(reason) after \(before)")
            let unclosed = Array("{\"k\":\"".utf8) + [UInt8](repeating: 0x61, count: before)
            #expect(errorCode { try JSONValue.parseObjectMembers(unclosed) } == .unexpectedEnd, "unclosed after \(before)")
        }
    }
}

@Suite("JSON string scan: the first byte that needs a look")
struct JSONStringScanFirstByteTests {
    @Test("the lowest flagged byte is the first that needs a look, whatever follows it",
          arguments: [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x1F, 0x80, 0xFF])
    func firstFlagged(first: UInt8) {
        // After the first special byte, every byte value in every later position: a borrow out
        // of a zero byte may flag later bytes, never an earlier one.
        for position in 0..<8 {
            for later in 0...UInt8.max {
                for laterPosition in position..<8 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                    bytes[laterPosition] = later
                    bytes[position] = first
                    let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                    let mask = JSONParser.lookMask(word)
                    #expect(mask != 0 && JSONParser.firstFlaggedByte(mask) == position, "\(first) at \(position), \(later) at \(laterPosition)")
                }
            }
        }
    }
}
