/// One header field of a back-channel request or response.
public struct BackChannelHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// ASCII-only case handling: header names are tokens, so Unicode case folding is never wanted.
enum ASCIICase {
    static func lowercased(_ text: String) -> String {
        lowercased(bytes: text.utf8)
    }

    static func lowercased<Bytes: Sequence<UInt8>>(bytes: Bytes) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lowercased(lhs) == lowercased(rhs)
    }
}
