/// Base64url without padding (RFC 7515 section 2, RFC 4648 section 5), strict.
///
/// Decoding refuses everything a lenient decoder would quietly accept, because a JWS segment has
/// exactly one valid spelling: padding (`=`), whitespace, characters of the standard alphabet
/// (`+`, `/`), a length of 1 mod 4, and non-zero bits left over in the last character. It works
/// on UTF-8 bytes through a 256-entry table and writes into one preallocated array: the obvious
/// alternative (replace characters in a String, pad, then `Data(base64Encoded:)`) is lenient and
/// several times slower.
public enum Base64URL {
    /// Marks a byte that is not in the alphabet.
    private static let invalid: UInt8 = 0xFF

    /// The value of every byte in the base64url alphabet, `invalid` for all others.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, byte) in encodeTable.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// Marks a character outside the alphabet in `groupTable`: a bit above the 24 a group fills.
    private static let invalidInGroup: UInt32 = 1 << 24

    /// `groupTable[position * 256 + byte]` is the 6-bit value of `byte` already shifted to where
    /// it lands in a group's 24 bits when it is character `position` (0...3) of the group, or
    /// `invalidInGroup`. A whole group is then four lookups OR-ed together and one test: a third
    /// fewer instructions than looking up 6-bit values and shifting them into bytes, and the
    /// signature alone is 342 characters of every RS256 token.
    private static let groupTable: [UInt32] = {
        var table = [UInt32](repeating: invalidInGroup, count: 4 * 256)
        for (value, byte) in encodeTable.enumerated() {
            for position in 0..<4 {
                table[position * 256 + Int(byte)] = UInt32(value) << (18 - 6 * position)
            }
        }
        return table
    }()

    private static let encodeTable: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Decodes `text`, refusing anything but canonical unpadded base64url.
    public static func decode(_ text: some StringProtocol) throws(Base64URLError) -> [UInt8] {
        var string = String(text)
        // withUTF8 only rethrows untyped errors, so the typed error travels out in a Result.
        let result = string.withUTF8 { buffer in
            Result { () throws(Base64URLError) -> [UInt8] in try decode(buffer) }
        }
        return try result.get()
    }

    /// Decodes the bytes of `encoded`, refusing anything but canonical unpadded base64url.
    public static func decode(_ encoded: [UInt8]) throws(Base64URLError) -> [UInt8] {
        try encoded.withUnsafeBufferPointer { (buffer) throws(Base64URLError) -> [UInt8] in try decode(buffer) }
    }

    /// Decodes the bytes of `encoded`, refusing anything but canonical unpadded base64url.
    public static func decode(_ encoded: UnsafeBufferPointer<UInt8>) throws(Base64URLError) -> [UInt8] {
        var failure: Base64URLError?
        let output = [UInt8](unsafeUninitializedCapacity: decodedCount(encoded.count)) { out, initialized in
            // On failure the buffer is handed back empty so no uninitialized byte is ever read.
            do throws(Base64URLError) { initialized = try decode(encoded, into: out) } catch { failure = error; initialized = 0 }
        }
        if let failure { throw failure }
        return output
    }

    /// How many bytes `encodedCount` characters decode to, if they are valid; 0 for a count
    /// no valid text has (1 mod 4), which `decode` refuses before writing anything.
    public static func decodedCount(_ encodedCount: Int) -> Int {
        let remainder = encodedCount % 4
        if remainder == 1 { return 0 }
        return encodedCount / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
    }

    /// Decodes the bytes of `encoded` into `out`, which must hold at least
    /// `decodedCount(encoded.count)` bytes, and returns how many it wrote; refuses anything
    /// but canonical unpadded base64url, exactly as `decode(_:)` does (which calls this). For a
    /// caller that reads the bytes once and drops them (a JWS header), without an array.
    public static func decode(_ encoded: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) throws(Base64URLError) -> Int {
        let remainder = encoded.count % 4
        if remainder == 1 { throw Base64URLError(.malformed, "base64url text has an impossible length") }
        let fullGroups = encoded.count / 4
        let outputCount = decodedCount(encoded.count)
        guard out.count >= outputCount else { throw Base64URLError(.bufferTooSmall, "base64url output buffer is too small") }

        let groups = groupTable
        let single = decodeTable
        var failed = false
        var outIndex = 0
        single.withUnsafeBufferPointer { table in
            var inIndex = 0
            // Four characters make three bytes. Every index below is a byte (0...255) plus a
            // multiple of 256 within the 1024-entry table, and the loop bounds keep
            // `inIndex + 3 < encoded.count` and `outIndex + 2 < outputCount`.
            groups.withUnsafeBufferPointer { groupTable in
                var remainingGroups = fullGroups
                // Two groups at a time while eight bytes of output remain: six bytes go out in one
                // eight-byte store, whose last two bytes the next writes overwrite (they are below
                // `outputCount`, and every byte below it is written). A quarter fewer instructions.
                if let outBase = out.baseAddress {
                    while remainingGroups >= 2 && outputCount - outIndex >= 8 {
                        let first = groupTable[Int(encoded[inIndex])]
                            | groupTable[256 + Int(encoded[inIndex + 1])]
                            | groupTable[512 + Int(encoded[inIndex + 2])]
                            | groupTable[768 + Int(encoded[inIndex + 3])]
                        let second = groupTable[Int(encoded[inIndex + 4])]
                            | groupTable[256 + Int(encoded[inIndex + 5])]
                            | groupTable[512 + Int(encoded[inIndex + 6])]
                            | groupTable[768 + Int(encoded[inIndex + 7])]
                        if (first | second) & invalidInGroup != 0 { failed = true; break }
                        // The two 24-bit groups, most significant first, at the top of a word
                        // stored big-endian: bytes 0...5 in order, then two zero bytes.
                        let six = UInt64(first) << 40 | UInt64(second) << 16
                        UnsafeMutableRawPointer(outBase + outIndex).storeBytes(of: six.bigEndian, as: UInt64.self)
                        inIndex += 8
                        outIndex += 6
                        remainingGroups -= 2
                    }
                }
                if failed { return }
                for _ in 0..<remainingGroups {
                    let word = groupTable[Int(encoded[inIndex])]
                        | groupTable[256 + Int(encoded[inIndex + 1])]
                        | groupTable[512 + Int(encoded[inIndex + 2])]
                        | groupTable[768 + Int(encoded[inIndex + 3])]
                    if word & invalidInGroup != 0 { failed = true; break }
                    out[outIndex] = UInt8(truncatingIfNeeded: word >> 16)
                    out[outIndex + 1] = UInt8(truncatingIfNeeded: word >> 8)
                    out[outIndex + 2] = UInt8(truncatingIfNeeded: word)
                    inIndex += 4
                    outIndex += 3
                }
            }
            if !failed && remainder == 2 {
                let a = table[Int(encoded[inIndex])], b = table[Int(encoded[inIndex + 1])]
                // The last character carries 4 unused bits, which must be zero.
                if (a | b) & 0xC0 != 0 || b & 0x0F != 0 {
                    failed = true
                } else {
                    out[outIndex] = a << 2 | b >> 4
                    outIndex += 1
                }
            } else if !failed && remainder == 3 {
                let a = table[Int(encoded[inIndex])], b = table[Int(encoded[inIndex + 1])]
                let c = table[Int(encoded[inIndex + 2])]
                // The last character carries 2 unused bits, which must be zero.
                if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 {
                    failed = true
                } else {
                    out[outIndex] = a << 2 | b >> 4
                    out[outIndex + 1] = b << 4 | c >> 2
                    outIndex += 2
                }
            }
        }
        if failed { throw Base64URLError(.malformed, "base64url text has a character outside the alphabet or non-zero trailing bits") }
        return outIndex
    }

    /// Encodes `bytes` as unpadded base64url.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            output.append(encodeTable[Int(first >> 2)])
            output.append(encodeTable[Int((first & 0x03) << 4 | (second ?? 0) >> 4)])
            guard let second else { break }
            output.append(encodeTable[Int((second & 0x0F) << 2 | (third ?? 0) >> 6)])
            guard let third else { break }
            output.append(encodeTable[Int(third & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Why `Base64URL.decode` refused its input. Callers compare `code`; `message` never quotes the
/// input (a token, a secret).
public struct Base64URLError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The text is not canonical unpadded base64url.
        public static let malformed = Code("malformed")
        /// `decode(_:into:)` was handed a buffer smaller than `decodedCount` (a caller's mistake).
        public static let bufferTooSmall = Code("bufferTooSmall")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "Base64URLError.\(code): \(message)" }
}
