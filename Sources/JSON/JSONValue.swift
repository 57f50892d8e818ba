import Glibc

/// A JSON value (RFC 8259): what `JSONValue.parse` reads, and what Gatehouse writes.
///
/// One strict parser for every JSON text Gatehouse reads: JOSE headers, ID-token claims and
/// JWKs, OpenID Provider documents, the configuration file and the admin API's request bodies.
/// It refuses duplicate member names (RFC 7515 section 4 lets a parser either reject them or take
/// the last one; taking one silently is how two parsers come to disagree about a header), invalid
/// UTF-8, lone surrogates and deep nesting, reports where a text went wrong (line and column, see
/// `JSONError`), and is cheap enough to run once per token. Numbers keep their text so that large
/// integers (`exp`) are never rounded through a Double, and `1.5` can be refused where a count is
/// expected instead of being rounded.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written, already checked against the JSON number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// An object with its members in document order: what `parse` makes of every object when
    /// `JSONParseOptions.keepsMemberOrder` is set (the configuration file, whose problems are
    /// reported in the order they were written), and never otherwise. Its names are distinct.
    /// It compares unequal to an `.object` with the same members; `objectValue` reads either.
    case orderedObject([JSONObjectMember])

    /// Nesting deeper than this is refused by default, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 32

    /// Parses one JSON text; anything but whitespace after the value is refused.
    public static func parse(_ bytes: [UInt8], options: JSONParseOptions = JSONParseOptions()) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
            var parser = JSONParser(bytes: buffer, options: options)
            return try parser.parseDocument()
        }
    }

    /// Parses one JSON text that must be an object, and returns its members in document order
    /// without building a dictionary. Duplicate names are refused exactly as by `parse`.
    ///
    /// For a JWS header or payload, read once and then dropped: hashing every name into a
    /// dictionary (and allocating its table) costs about as much as parsing the members, and the
    /// few names a verifier reads are found by one walk over the list instead.
    public static func parseObjectMembers(_ bytes: [UInt8]) throws(JSONError) -> [JSONObjectMember] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> [JSONObjectMember] in try parseObjectMembers(buffer) }
    }

    /// `parseObjectMembers` over bytes the caller holds in a buffer of its own.
    public static func parseObjectMembers(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> [JSONObjectMember] {
        var parser = JSONParser(bytes: bytes, options: JSONParseOptions())
        return try parser.parseObjectDocument()
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The members, when this is an object (ordered or not).
    public var objectValue: [String: JSONValue]? {
        switch self {
        case .object(let value): return value
        case .orderedObject(let members): return members.dictionary
        default: return nil
        }
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The value, when this is a number written as an integer that fits in an Int64 (no fraction, no exponent).
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The value, when this is a number.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The value, when this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// "a string", "an object" ...: the phrase used after "found" or "not" in problem messages.
    public var kindDescription: String {
        switch self {
        case .object, .orderedObject: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// How `JSONValue.parse` reads a text. The defaults are the strict ones every protocol document
/// gets; the configuration file asks for more room, document order and a byte order mark.
public struct JSONParseOptions: Sendable, Equatable {
    /// Containers nested deeper than this are refused.
    public var maximumDepth: Int
    /// Objects come back as `.orderedObject`, members in document order, instead of `.object`.
    public var keepsMemberOrder: Bool
    /// A UTF-8 byte order mark before the text is skipped (RFC 8259 section 8.1 lets a parser
    /// ignore it) rather than refused. Lines and columns count from after it.
    public var allowsByteOrderMark: Bool

    public init(maximumDepth: Int = JSONValue.maximumDepth, keepsMemberOrder: Bool = false, allowsByteOrderMark: Bool = false) {
        self.maximumDepth = maximumDepth
        self.keepsMemberOrder = keepsMemberOrder
        self.allowsByteOrderMark = allowsByteOrderMark
    }
}

/// One member of a JSON object, as `JSONValue.parseObjectMembers` returns them in document order.
public struct JSONObjectMember: Sendable, Equatable {
    public let name: String
    public let value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }

    /// Up to this many members, a new name is checked for duplicates by comparing it with each
    /// earlier one; beyond it, through a set.
    static let linearScanLimit = 16
}

extension [JSONObjectMember] {
    /// The members as a dictionary. Members from `parseObjectMembers` have distinct names; for a
    /// hand-made list with a repeated name, the first one is kept (never a trap).
    public var dictionary: [String: JSONValue] {
        Dictionary(map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A recursive-descent parser over a byte buffer. Internal: only `JSONValue.parse` and `parseObjectMembers` drive it.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Where the text starts: 3 past a byte order mark the options let us skip, else 0.
    private var documentStart = 0
    private let maximumDepth: Int
    private let keepsMemberOrder: Bool
    private let allowsByteOrderMark: Bool
    /// Whether the last string `parseString` returned was written as plain ASCII (no escapes),
    /// which lets `parseObjectDocument` compare names by their raw bytes.
    private var lastStringWasPlainASCII = false
    /// `KnownMemberName.head(of:)` of the last name `parseString(internKnownName: true)` returned
    /// through its plain ASCII path.
    private var lastNameHead: UInt64 = 0

    /// Where a member name written as plain ASCII sits in the input, and its first eight bytes
    /// packed in a word: enough to tell most names apart without reading them again.
    struct RawName {
        let start: Int
        let count: Int
        let head: UInt64
    }

    init(bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) {
        self.bytes = bytes
        self.maximumDepth = options.maximumDepth
        self.keepsMemberOrder = options.keepsMemberOrder
        self.allowsByteOrderMark = options.allowsByteOrderMark
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if allowsByteOrderMark, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3
            documentStart = 3
        }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index != bytes.count { throw failure(.trailingText) }
        return value
    }

    /// Parses a document that must be one object, into its members in document order.
    mutating func parseObjectDocument() throws(JSONError) -> [JSONObjectMember] {
        skipWhitespace()
        guard let base = bytes.baseAddress, peek() == UInt8(ascii: "{") else { throw failure(.notAnObject) }
        var members: [JSONObjectMember] = []
        members.reserveCapacity(12)
        // Past `linearScanLimit` members, names go into a set, so a hostile object with thousands
        // of members costs linear time, not quadratic.
        var names: Set<String> = []
        // Bit i is set when member i's name was not written as plain ASCII (linear scan only).
        var notPlainASCII: UInt32 = 0
        // Where member i's name was written, when it was plain ASCII (linear scan only; on the
        // stack, so the scan allocates nothing).
        var rawNameStarts = SIMD16<Int>(), rawNameCounts = SIMD16<Int>(), rawNameHeads = SIMD16<UInt64>()
        // Bit `nameBit(name)` is set for every earlier plain ASCII name (linear scan only). A new
        // plain name whose bit is clear equals none of them, so only the earlier names that were
        // not plain ASCII (nearly never any) need comparing: about one test per member instead
        // of one per pair of members.
        var plainNameBits: UInt64 = 0
        try parseMembers(depth: 1) { (name, rawName, value) -> Bool in
            // `==` on String, the equality a Dictionary's keys use, so this refuses exactly what
            // `parse` refuses.
            if members.count < JSONObjectMember.linearScanLimit {
                // A plain name whose bit is clear can only repeat an earlier name that was not
                // plain ASCII; any other name is compared with every earlier one.
                // (Below `linearScanLimit`, so every earlier member has its bit in a UInt32.)
                var earlierToCompare = (UInt32(1) << members.count) &- 1
                if let rawName {
                    let bit = Self.nameBit(rawName)
                    if plainNameBits & bit == 0 { earlierToCompare = notPlainASCII }
                    plainNameBits |= bit
                }
                while earlierToCompare != 0 {
                    let earlier = earlierToCompare.trailingZeroBitCount
                    earlierToCompare &= earlierToCompare &- 1
                    if let rawName, notPlainASCII & (1 << earlier) == 0 {
                        // Both names written as plain ASCII, so each is its raw bytes, and two
                        // ASCII strings are canonically equivalent only when their bytes are
                        // equal: comparing the bytes in place is `==` without the String call.
                        // The first eight bytes settle it for most; longer names compare in full.
                        if rawNameCounts[earlier] == rawName.count && rawNameHeads[earlier] == rawName.head
                            && (rawName.count <= 8 || memcmp(base + rawNameStarts[earlier], base + rawName.start, rawName.count) == 0) {
                            return false
                        }
                        continue
                    }
                    if members[earlier].name == name { return false }
                }
                if let rawName {
                    rawNameStarts[members.count] = rawName.start
                    rawNameCounts[members.count] = rawName.count
                    rawNameHeads[members.count] = rawName.head
                } else {
                    notPlainASCII |= 1 << members.count
                }
            } else {
                if names.isEmpty { names = Set(members.map(\.name)) }
                if !names.insert(name).inserted { return false }
            }
            members.append(JSONObjectMember(name: name, value: value))
            return true
        }
        skipWhitespace()
        if index != bytes.count { throw failure(.trailingText) }
        return members
    }

    /// One of 64 bits for a plain ASCII name, from its length and first eight bytes: equal names
    /// always get the same bit (different names may share one, and are then compared in full).
    private static func nameBit(_ name: RawName) -> UInt64 {
        let mixed = (name.head ^ UInt64(truncatingIfNeeded: name.count)) &* 0x9E37_79B9_7F4A_7C15
        return 1 << (mixed >> 58)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard let byte = peek() else { throw failure(.endInsteadOfValue) }
        switch byte {
        case UInt8(ascii: "{"): return keepsMemberOrder ? try parseOrderedObject(depth: depth + 1) : try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure(.unexpectedByte(byte))
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        // Truncated or misspelt, the literal is reported where it starts.
        guard bytes.count - index >= count else { throw failure(.invalidLiteral(literal)) }
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw failure(.invalidLiteral(literal))
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        // Room for a typical token's claims up front, so the table is not rehashed as it grows.
        var members: [String: JSONValue] = Dictionary(minimumCapacity: 12)
        try parseMembers(depth: depth) { (name, _, value) -> Bool in
            members.updateValue(value, forKey: name) == nil
        }
        return .object(members)
    }

    /// An object as `.orderedObject`, for `keepsMemberOrder`. A set of names refuses
    /// duplicates with the same `==` a dictionary's keys use, so both forms refuse the same texts.
    private mutating func parseOrderedObject(depth: Int) throws(JSONError) -> JSONValue {
        var members: [JSONObjectMember] = []
        var names: Set<String> = []
        try parseMembers(depth: depth) { (name, _, value) -> Bool in
            guard names.insert(name).inserted else { return false }
            members.append(JSONObjectMember(name: name, value: value))
            return true
        }
        return .orderedObject(members)
    }

    /// Parses an object starting at its `{`, handing each member to `add` in document order;
    /// `add` decides how members are kept, and returns false for a name it already has, which
    /// is refused here, where the name's position is known.
    /// The name and value are handed over (`consuming`), so keeping them costs no retain; when
    /// the name was written as plain ASCII (no escapes), its bytes' range in the input comes too.
    private mutating func parseMembers(
        depth: Int,
        _ add: (consuming String, RawName?, consuming JSONValue) -> Bool
    ) throws(JSONError) {
        if depth > maximumDepth { throw failure(.tooDeep) }
        index += 1  // {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure(.keyNotQuoted) }
            let nameStart = index + 1
            let name = try parseString(internKnownName: true)
            // A plain ASCII name's bytes run up to its closing quote, just before `index`.
            let rawName = lastStringWasPlainASCII ? RawName(start: nameStart, count: index - 1 - nameStart, head: lastNameHead) : nil
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure(.colonMissing) }
            index += 1
            skipWhitespace()
            if !add(name, rawName, try parseValue(depth: depth)) { throw failure(.duplicateName, at: nameStart - 1) }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw failure(peek() == nil ? .objectEnded : .objectNotContinued)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maximumDepth { throw failure(.tooDeep) }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw failure(peek() == nil ? .arrayEnded : .arrayNotContinued)
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
    private mutating func parseNumber() throws(JSONError) -> String {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        // Integer part: 0, or a non-zero digit followed by digits (no leading zeros).
        guard let first = peek(), isDigit(first) else { throw failure(.digitMissing) }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek(), isDigit(next) {
            throw failure(.leadingZero)
        }
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), isDigit(digit) else { throw failure(.fractionDigitMissing) }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw failure(.exponentDigitMissing) }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    /// Parses a string starting at its opening quote. Raw bytes must be valid UTF-8 and not control characters.
    /// With `internKnownName`, a plain ASCII string that is one of the `KnownMemberName`s comes
    /// back as that literal (the same string, built at compile time), and `lastNameHead` holds
    /// its first eight bytes.
    /// An unclosed string, or one that is not UTF-8, is reported at its opening quote.
    private mutating func parseString(internKnownName: Bool = false) throws(JSONError) -> String {
        index += 1  // opening quote
        lastStringWasPlainASCII = false
        let start = index
        // Fast path: no escapes, so the bytes between the quotes are the string. Nearly every
        // string in a token is ASCII, which is valid UTF-8 as it stands: only the others go
        // through `String(validating:)`, whose generic entry point costs more than the scan.
        var orOfBytes: UInt8 = 0
        // Eight bytes at a time past those that need no look (see `lookMask`), then straight to
        // the first byte that does (the string's end, usually): about a byte an instruction
        // instead of ten.
        if let base = bytes.baseAddress {
            while bytes.count &- index >= 8 {
                // Byte i of the input is byte i of the word, counting from the low end.
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let mask = Self.lookMask(word)
                if mask != 0 {
                    index &+= Self.firstFlaggedByte(mask)
                    break
                }
                index &+= 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                lastStringWasPlainASCII = orOfBytes < 0x80
                if orOfBytes < 0x80 {
                    if internKnownName {
                        lastNameHead = head(of: raw)
                        if let known = KnownMemberName.string(for: raw, head: lastNameHead) { return known }
                    }
                    return String(decoding: raw, as: UTF8.self)
                }
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw failure(.notUTF8, at: start - 1)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure(.controlCharacter(byte)) }
            orOfBytes |= byte
            index += 1
        }
        guard index < bytes.count else { throw failure(.unterminatedString, at: start - 1) }
        return try parseEscapedString(from: start)
    }

    /// The slow path of `parseString`, from its first backslash (at `index`) on: copies what
    /// came before and decodes escapes into a byte buffer. Never inlined: escapes are rare, and
    /// `parseString` stays small enough that its plain loop keeps its registers.
    @inline(never)
    private mutating func parseEscapedString(from start: Int) throws(JSONError) -> String {
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw failure(.notUTF8, at: start - 1)
                }
                return text
            }
            if byte < 0x20 { throw failure(.controlCharacter(byte)) }
            if byte != UInt8(ascii: "\\") {
                decoded.append(byte)
                index += 1
                continue
            }
            index += 1
            guard let escape = peek() else { throw failure(.unterminatedEscape) }
            switch escape {
            case UInt8(ascii: "\""): decoded.append(0x22)
            case UInt8(ascii: "\\"): decoded.append(0x5C)
            case UInt8(ascii: "/"): decoded.append(0x2F)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                index += 1
                let first = try parseHex4()
                var scalar = UInt32(first)
                if (0xD800...0xDBFF).contains(first) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure(.highSurrogateAlone(first))
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure(.highSurrogateThen(first, low)) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(first) {
                    throw failure(.lowSurrogateAlone(first))
                }
                guard let unicodeScalar = Unicode.Scalar(scalar) else { throw failure(.invalidScalar) }
                decoded.append(contentsOf: String(unicodeScalar).utf8)
                continue
            default:
                throw failure(.unknownEscape(escape))
            }
            index += 1
        }
        throw failure(.unterminatedString, at: start - 1)
    }

    /// The string whose opening quote is at `quote`, read again (for a message; never refused
    /// there, since it parsed before).
    private func string(at quote: Int) -> String {
        var reader = self
        reader.index = quote
        return (try? reader.parseString()) ?? ""
    }

    /// The top bit of each byte of `word` that may need a look: a quote, a backslash, a
    /// control character (below 0x20) or a byte that is not ASCII, the bytes the string scan
    /// must look at one by one. Zero when none does. The lowest
    /// bit set always marks a byte that does, the lowest such byte; bits above it may be false
    /// alarms (a borrow out of a zero byte), and are never read.
    ///
    /// `(v - 0x01…01) & ~v & 0x80…80` flags the lowest zero byte of `v` exactly (it borrows into
    /// its own top bit, and no byte below it borrows); `v ^ 0x22…22` has a zero byte where
    /// `word` has a quote. Subtracting 0x20 from each byte the same way flags the lowest byte
    /// below 0x20, and the top bits flag the bytes of 0x80 and above.
    static func lookMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & tops
    }

    /// How many bytes lie below the one `mask`'s lowest bit marks.
    static func firstFlaggedByte(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount / 8
    }

    /// `KnownMemberName.head(of: raw)`, in one load when eight bytes can be read from `raw`'s
    /// start without leaving the input (nearly always: a name is followed by its value).
    private func head(of raw: UnsafeBufferPointer<UInt8>) -> UInt64 {
        #if _endian(little)
        if let rawBase = raw.baseAddress, let base = bytes.baseAddress, base + bytes.count - rawBase >= 8 {
            let word = UnsafeRawPointer(rawBase).loadUnaligned(as: UInt64.self)
            return raw.count >= 8 ? word : word & ((1 << (8 * UInt64(raw.count))) &- 1)
        }
        #endif
        return KnownMemberName.head(of: raw)
    }

    /// Four hexadecimal digits; the first that is not one is reported where it stands.
    /// Never inlined: escapes are rare, and `parseString`'s plain-ASCII loop keeps its registers.
    @inline(never)
    private mutating func parseHex4() throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let digit: UInt8
            switch peek() {
            case let byte? where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case let byte? where byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case let byte? where byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure(.hexDigitMissing)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    // MARK: Errors, made only on the way out: nothing here costs a parse that succeeds.

    /// Every way a text is refused, with only what its message needs. A throw site is one small
    /// call, so the functions on the fast path stay the size they were (and the optimizer
    /// inlines them as before); `failure` writes the message.
    enum Fault {
        case trailingText, notAnObject, endInsteadOfValue, unexpectedByte(UInt8), invalidLiteral(StaticString), tooDeep
        case keyNotQuoted, colonMissing, duplicateName, objectEnded, objectNotContinued, arrayEnded, arrayNotContinued
        case digitMissing, leadingZero, fractionDigitMissing, exponentDigitMissing
        case notUTF8, controlCharacter(UInt8), unterminatedString, unterminatedEscape, unknownEscape(UInt8), hexDigitMissing
        case highSurrogateAlone(UInt16), highSurrogateThen(UInt16, UInt16), lowSurrogateAlone(UInt16), invalidScalar
    }

    /// The error for `fault` at `offset` (the current position by default), with its line and
    /// column. For `duplicateName`, `offset` is the name's opening quote.
    @inline(never)
    private func failure(_ fault: Fault, at offset: Int? = nil) -> JSONError {
        let code: JSONError.Code, message: String
        switch fault {
        case .trailingText: (code, message) = (.trailingText, "unexpected text after the end of the document")
        case .notAnObject: (code, message) = (.notAnObject, "the document is not an object")
        case .endInsteadOfValue: (code, message) = (.unexpectedEnd, "unexpected end of input; expected a value")
        case .unexpectedByte(let byte): (code, message) = (.unexpectedCharacter, "unexpected character \(Self.describe(byte)); expected a value")
        case .invalidLiteral(let literal): (code, message) = (.invalidLiteral, "invalid literal; expected \(literal)")
        case .tooDeep: (code, message) = (.tooDeep, "nesting deeper than \(maximumDepth) levels")
        case .keyNotQuoted: (code, message) = (.unexpectedCharacter, "expected a string key in double quotes")
        case .colonMissing: (code, message) = (.unexpectedCharacter, "expected ':' after an object key")
        // The name was handed on; it is read again, off the fast path.
        case .duplicateName: (code, message) = (.duplicateMemberName, "duplicate key \(JSONError.quoted(string(at: offset ?? index))) in one object")
        case .objectEnded: (code, message) = (.unexpectedEnd, "unexpected end of input; expected ',' or '}'")
        case .objectNotContinued: (code, message) = (.unexpectedCharacter, "expected ',' or '}' after an object member")
        case .arrayEnded: (code, message) = (.unexpectedEnd, "unexpected end of input; expected ',' or ']'")
        case .arrayNotContinued: (code, message) = (.unexpectedCharacter, "expected ',' or ']' after an array element")
        case .digitMissing: (code, message) = (.invalidNumber, "expected a digit in a number")
        case .leadingZero: (code, message) = (.invalidNumber, "numbers must not have leading zeros")
        case .fractionDigitMissing: (code, message) = (.invalidNumber, "expected a digit after the decimal point")
        case .exponentDigitMissing: (code, message) = (.invalidNumber, "expected a digit in the exponent")
        case .notUTF8: (code, message) = (.invalidString, "string is not valid UTF-8")
        case .controlCharacter(let byte): (code, message) = (.invalidString, "control character \(Self.describe(byte)) in a string must be escaped")
        case .unterminatedString: (code, message) = (.unexpectedEnd, "unterminated string")
        case .unterminatedEscape: (code, message) = (.unexpectedEnd, "unterminated escape sequence")
        case .unknownEscape(let byte): (code, message) = (.invalidString, "invalid escape sequence \\\(Self.describeBare(byte))")
        case .hexDigitMissing: (code, message) = (.invalidString, "\\u must be followed by four hexadecimal digits")
        case .highSurrogateAlone(let high): (code, message) = (.invalidString, "high surrogate \\u\(Self.hex(high)) is not followed by a low surrogate")
        case .highSurrogateThen(let high, let other):
            (code, message) = (.invalidString, "high surrogate \\u\(Self.hex(high)) is followed by \\u\(Self.hex(other)), not a low surrogate")
        case .lowSurrogateAlone(let low): (code, message) = (.invalidString, "lone low surrogate \\u\(Self.hex(low))")
        case .invalidScalar: (code, message) = (.invalidString, "invalid Unicode escape")
        }
        return JSONError(code: code, message: message, location: JSONError.Location(offset: offset ?? index, in: bytes, documentStart: documentStart))
    }

    /// `'x'` for a printable ASCII byte, `0x09` for any other.
    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "0x\(hex(UInt16(byte), width: 2))"
    }

    /// `x` for a printable ASCII byte, `(0x09)` for any other: what follows a backslash.
    private static func describeBare(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return String(Character(Unicode.Scalar(byte))) }
        return "(0x\(hex(UInt16(byte), width: 2)))"
    }

    /// Upper-case hexadecimal, zero-padded to `width` digits.
    private static func hex(_ value: UInt16, width: Int = 4) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
