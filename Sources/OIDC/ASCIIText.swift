/// ASCII-only case folding, for protocol names that are ASCII by definition (header names, DNS
/// names as a provider writes them): anything else compares byte for byte, never by Unicode
/// case folding.
enum ASCIIText {
    static func equalIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        return lhs.utf8.count == rhs.utf8.count && zip(lhs.utf8, rhs.utf8).allSatisfy { lower($0) == lower($1) }
    }
}
