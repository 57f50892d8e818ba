/// A strict, incremental HTTP/1.1 request parser (RFC 9112) that takes bytes and never sees a socket.
///
/// The connection appends whatever it reads and calls `next()` until it returns nil; each call
/// returns at most one complete request, so pipelined requests come out one by one, in order.
/// Any violation throws an `HTTPParseError` whose status the connection sends before closing;
/// from then on the parser is poisoned and keeps throwing the same error.
///
/// Choices where RFC 9112 leaves room, all on the strict side because a lenient parser in
/// front of or behind another one is how request smuggling happens:
/// - Lines end in CRLF only. A bare LF or a bare CR anywhere in the head, in a chunk line or in
///   the trailers is 400 (RFC 9112 2.2 allows accepting a bare LF; we do not).
/// - Up to `maxLeadingEmptyLines` empty lines before a request line are skipped (RFC 9112 2.2).
/// - Limits are measured on bytes as received: the request line and a chunk line without their
///   CRLF; the header section as the sum of its field lines, each with its CRLF (neither the
///   request line nor the closing empty line). Trailer fields share the budget of the header
///   section (count and bytes), so a chunked request cannot double it.
/// - See `RequestLine`, `FieldLine`, `FramingFacts` and `ChunkSizeLine` for the rules of each part.
///
/// Performance: bytes live in one `[UInt8]` with a read index. A line is scanned once, eight
/// bytes at a time where no byte needs a closer look. An incomplete line remembers how far it
/// was scanned, and the scan never runs past the limit that applies, so a flood without CRLF
/// is refused as soon as the limit is crossed. Consumed bytes are dropped only when everything
/// was consumed or the consumed prefix is large. Strings are made only for the method, the
/// target and field names and values.
public struct RequestParser: Sendable {
    public enum Phase: Sendable, Equatable {
        /// No byte of a next request is buffered (skipped empty lines do not count).
        case idle
        /// Part of a request line or header section is buffered.
        case head
        /// The head is parsed and the body (or the trailers) is still incomplete.
        case body
    }

    /// How many empty lines may precede a request line; some clients send one after a body.
    public static let maxLeadingEmptyLines = 8

    /// Consumed bytes are dropped from the front of the buffer once there are at least this many
    /// and they are at least half of it, so that copying stays rare and amortized.
    static let compactionThreshold = 16 * 1024

    /// A buffer whose capacity grew past this (a large body) is released once it is empty,
    /// so an idle keep-alive connection does not hold on to it.
    static let retainedCapacity = 64 * 1024

    /// Room reserved for header fields at the first one; browsers send about ten.
    static let typicalHeaderCount = 16

    private enum State: Sendable {
        case requestLine
        case headerFields
        case fixedBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerFields
    }

    /// What one step of parsing achieved.
    private enum Step {
        case needMoreBytes
        case progressed
        case complete
    }

    /// Everything learned so far about the request being parsed.
    private struct MessageInProgress: Sendable {
        var requestLine = RequestLine(method: "", target: "", version: .http1_1)
        var headers = HTTPHeaders()
        var trailers = HTTPHeaders()
        var body: [UInt8] = []
        var framing = FramingFacts()
        /// Header and trailer fields seen so far, and their bytes including CRLFs.
        var fieldCount = 0
        var fieldBytes = 0
        var leadingEmptyLines = 0
    }

    /// Where the end of a line was looked for, and what was found.
    private enum LineScan {
        /// The line ends with the CRLF whose CR is at this index.
        case complete(crIndex: Int)
        case incomplete
        case bareCR
        case bareLF
    }

    private let limits: HTTPLimits
    private var buffer: [UInt8] = []
    /// The first byte not yet consumed: the start of the current line or of the unread body.
    private var readIndex = 0
    /// Where the search for the end of the current line resumes; bytes before it hold no CR or LF.
    private var scanIndex = 0
    private var state = State.requestLine
    private var message = MessageInProgress()
    private var failure: HTTPParseError?
    private var continuePending = false
    /// The target of the request being parsed when the parser failed (nil when the request line
    /// itself was not read), so the refusal can be answered in the form its path expects.
    public private(set) var failedRequestTarget: String?

    /// The target of the request whose head or body is being received; nil between requests.
    public var targetInProgress: String? {
        if case .requestLine = state { return nil }
        return message.requestLine.target
    }

    /// Shared with the server's other connections; nil bounds bodies by `maxBodyBytes` alone.
    private let budget: BodyBudget?
    /// What the body being received took from `budget`.
    private var heldBodyBytes = 0

    /// A negative limit (a configuration mistake) acts as zero, so it refuses rather than traps.
    public init(limits: HTTPLimits = HTTPLimits(), budget: BodyBudget? = nil) {
        self.limits = HTTPLimits(
            maxRequestLineBytes: max(0, limits.maxRequestLineBytes),
            maxHeaderBytes: max(0, limits.maxHeaderBytes),
            maxHeaderCount: max(0, limits.maxHeaderCount),
            maxBodyBytes: max(0, limits.maxBodyBytes),
            maxChunkLineBytes: max(0, limits.maxChunkLineBytes),
            maxBodyBytesInFlight: max(0, limits.maxBodyBytesInFlight)
        )
        self.budget = budget
    }

    /// Gives back what the last body holds of the budget. The connection calls it once that
    /// request is answered (a body waiting on an executor's queue still counts), and when it
    /// closes, whatever state the request was in.
    public mutating func releaseBody() {
        if heldBodyBytes > 0 { budget?.giveBack(heldBodyBytes) }
        heldBodyBytes = 0
    }

    /// Holds what a body of `bytes` needs from the budget beyond `BodyBudget.allowancePerBody`
    /// and what it holds already, or refuses the request.
    private mutating func holdBody(_ bytes: Int) throws(HTTPParseError) {
        guard let budget else { return }
        let needed = max(0, bytes - BodyBudget.allowancePerBody) - heldBodyBytes
        guard needed > 0 else { return }
        guard budget.take(needed) else { throw .bodiesInFlightFull }
        heldBodyBytes += needed
    }

    // MARK: Public interface

    /// Appends bytes read from the socket. Ignored once the parser has failed.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes; a convenience for tests.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Returns the next complete request if the buffer holds one, nil if more bytes are needed.
    /// After an error the parser is poisoned: the connection answers with `error.status` and closes.
    public mutating func next() throws(HTTPParseError) -> Request? {
        if let failure { throw failure }
        do {
            return try parseNext()
        } catch {
            failure = error
            failedRequestTarget = targetInProgress
            continuePending = false
            releaseBody()
            buffer = []
            readIndex = 0
            scanIndex = 0
            throw error
        }
    }

    /// Where the parser is, for the connection's deadline state machine.
    public var phase: Phase {
        switch state {
        case .requestLine: return readIndex == buffer.count ? .idle : .head
        case .headerFields: return .head
        case .fixedBody, .chunkSizeLine, .chunkData, .chunkDataEnd, .trailerFields: return .body
        }
    }

    /// True right after a head with `Expect: 100-continue` was parsed while its body is still
    /// incomplete; the connection sends `HTTP/1.1 100 Continue` and calls `continueSent()`.
    /// Never set for HTTP/1.0 (RFC 9110 10.1.1: ignore the expectation) or an empty body.
    public var shouldSendContinue: Bool { continuePending }

    public mutating func continueSent() {
        continuePending = false
    }

    /// Bytes buffered but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    // MARK: The state machine

    private mutating func parseNext() throws(HTTPParseError) -> Request? {
        while true {
            let step: Step
            switch state {
            case .requestLine: step = try readRequestLine()
            case .headerFields: step = try readFieldLine(inTrailers: false)
            case .fixedBody(let remaining): step = readFixedBody(remaining: remaining)
            case .chunkSizeLine: step = try readChunkSizeLine()
            case .chunkData(let remaining): step = try readChunkData(remaining: remaining)
            case .chunkDataEnd: step = try readChunkDataEnd()
            case .trailerFields: step = try readFieldLine(inTrailers: true)
            }
            switch step {
            case .needMoreBytes: return nil
            case .progressed: continue
            case .complete: return completeRequest()
            }
        }
    }

    private mutating func readRequestLine() throws(HTTPParseError) -> Step {
        let maxLength = limits.maxRequestLineBytes
        switch scanLine(maxContentLength: maxLength) {
        case .bareCR: throw .badRequest("bare CR in request line")
        case .bareLF: throw .badRequest("bare LF in request line")
        case .incomplete:
            if scanIndex - readIndex > maxLength { throw .uriTooLong }
            return .needMoreBytes
        case .complete(let crIndex):
            let length = crIndex - readIndex
            if length == 0 {
                message.leadingEmptyLines += 1
                if message.leadingEmptyLines > Self.maxLeadingEmptyLines {
                    throw .badRequest("too many empty lines before request line")
                }
                consumeLine(crIndex: crIndex)
                return .progressed
            }
            if length > maxLength { throw .uriTooLong }
            let start = readIndex
            message.requestLine = try buffer.withUnsafeBufferPointer { bytes throws(HTTPParseError) in
                try RequestLine.parse(bytes.slice(start..<crIndex))
            }
            consumeLine(crIndex: crIndex)
            state = .headerFields
            return .progressed
        }
    }

    /// Reads one line of the header section, or of the trailer section of a chunked body.
    private mutating func readFieldLine(inTrailers: Bool) throws(HTTPParseError) -> Step {
        // The longest line content that still fits, counting its CRLF; may be -1 or -2 when
        // the section is full, where only the closing empty line can still come.
        let budget = limits.maxHeaderBytes - message.fieldBytes - 2
        switch scanLine(maxContentLength: max(budget, 0)) {
        case .bareCR: throw .badRequest("bare CR in field line")
        case .bareLF: throw .badRequest("bare LF in field line")
        case .incomplete:
            let partialLength = scanIndex - readIndex
            if partialLength > 0, partialLength > budget {
                throw .headerFieldsTooLarge("header section too large")
            }
            return .needMoreBytes
        case .complete(let crIndex):
            let length = crIndex - readIndex
            if length == 0 {
                consumeLine(crIndex: crIndex)
                return inTrailers ? .complete : try finishHead()
            }
            if length > budget { throw .headerFieldsTooLarge("header section too large") }
            message.fieldCount += 1
            if message.fieldCount > limits.maxHeaderCount {
                throw .headerFieldsTooLarge("too many header fields")
            }
            message.fieldBytes += length + 2

            let start = readIndex
            let field = try buffer.withUnsafeBufferPointer { bytes throws(HTTPParseError) in
                try FieldLine.parse(bytes.slice(start..<crIndex))
            }
            if inTrailers {
                message.trailers.add(field.name, field.value)
            } else {
                if let known = field.knownName {
                    // Framing reads the value's bytes; only a few fields per request get here.
                    let valueRange = (start + field.valueRange.lowerBound)..<(start + field.valueRange.upperBound)
                    var framing = message.framing
                    buffer.withUnsafeBufferPointer { bytes in framing.note(known, value: bytes.slice(valueRange)) }
                    message.framing = framing
                }
                if message.headers.count == 0 { message.headers.reserveCapacity(Self.typicalHeaderCount) }
                message.headers.add(field.name, field.value)
            }
            consumeLine(crIndex: crIndex)
            return .progressed
        }
    }

    /// The head is complete: decide how the body is framed and whether 100 Continue is due.
    private mutating func finishHead() throws(HTTPParseError) -> Step {
        let version = message.requestLine.version
        let framing = try message.framing.decide(version: version, limits: limits)
        switch framing {
        case .none:
            return .complete
        case .length(let length):
            try holdBody(length)
            state = .fixedBody(remaining: length)
        case .chunked:
            state = .chunkSizeLine
        }
        continuePending = message.framing.expectsContinue && version == .http1_1
        return .progressed
    }

    private mutating func readFixedBody(remaining: Int) -> Step {
        let taken = takeBodyBytes(upTo: remaining)
        if taken == remaining { return .complete }
        state = .fixedBody(remaining: remaining - taken)
        return .needMoreBytes
    }

    private mutating func readChunkSizeLine() throws(HTTPParseError) -> Step {
        let maxLength = limits.maxChunkLineBytes
        switch scanLine(maxContentLength: maxLength) {
        case .bareCR: throw .badRequest("bare CR in chunk line")
        case .bareLF: throw .badRequest("bare LF in chunk line")
        case .incomplete:
            if scanIndex - readIndex > maxLength { throw .badRequest("chunk line too long") }
            return .needMoreBytes
        case .complete(let crIndex):
            if crIndex - readIndex > maxLength { throw .badRequest("chunk line too long") }
            let start = readIndex
            let size = try buffer.withUnsafeBufferPointer { bytes throws(HTTPParseError) in
                try ChunkSizeLine.parse(bytes.slice(start..<crIndex))
            }
            if size > limits.maxBodyBytes - message.body.count {
                throw .contentTooLarge("chunked body too large")
            }
            try holdBody(message.body.count + size)
            consumeLine(crIndex: crIndex)
            state = size == 0 ? .trailerFields : .chunkData(remaining: size)
            return .progressed
        }
    }

    private mutating func readChunkData(remaining: Int) throws(HTTPParseError) -> Step {
        let taken = takeBodyBytes(upTo: remaining)
        // A chunked body grows its buffer by doubling: what it holds is what it occupies.
        try holdBody(message.body.capacity)
        if taken == remaining {
            state = .chunkDataEnd
            return .progressed
        }
        state = .chunkData(remaining: remaining - taken)
        return .needMoreBytes
    }

    /// The CRLF that must follow the data of each chunk; each byte is judged as soon as it arrives.
    private mutating func readChunkDataEnd() throws(HTTPParseError) -> Step {
        let available = buffer.count - readIndex
        guard available > 0 else { return .needMoreBytes }
        guard buffer[readIndex] == ByteClass.cr else { throw .badRequest("chunk data not followed by CRLF") }
        guard available > 1 else { return .needMoreBytes }
        guard buffer[readIndex + 1] == ByteClass.lf else { throw .badRequest("chunk data not followed by CRLF") }
        consumeLine(crIndex: readIndex)
        state = .chunkSizeLine
        return .progressed
    }

    private mutating func completeRequest() -> Request {
        let line = message.requestLine
        let request = Request(
            method: line.method,
            target: line.target,
            version: line.version,
            headers: message.headers,
            body: message.body,
            trailers: message.trailers
        )
        message = MessageInProgress()
        state = .requestLine
        continuePending = false
        return request
    }

    // MARK: Buffer handling

    /// Looks for the CRLF ending the line that starts at `readIndex`, resuming at `scanIndex`.
    ///
    /// The search stops once the line content exceeds `maxContentLength`, leaving `scanIndex`
    /// past the limit so the caller sees the overflow without reading further. A CR as the last
    /// buffered byte leaves `scanIndex` on it, to be judged when the next byte arrives.
    private mutating func scanLine(maxContentLength: Int) -> LineScan {
        let start = scanIndex
        let bufferEnd = buffer.count
        // The content may be `maxContentLength` bytes; one more byte (its CR) is still scanned.
        let scanEnd = bufferEnd - readIndex > maxContentLength ? readIndex + maxContentLength + 1 : bufferEnd
        let (result, resumeAt) = buffer.withUnsafeBufferPointer { bytes -> (LineScan, Int) in
            var index = start
            while index < scanEnd {
                // Skip eight bytes at once when none of them is a CR, an LF (or any byte below 0x0E).
                if index + 8 <= scanEnd, !WordScan.hasByte(below: 0x0E, in: bytes.loadWord(at: index)) {
                    index += 8
                    continue
                }
                let byte = bytes[index]
                if byte > ByteClass.cr {
                    index += 1
                    continue
                }
                if byte == ByteClass.cr {
                    if index + 1 == bufferEnd { return (.incomplete, index) }
                    return bytes[index + 1] == ByteClass.lf ? (.complete(crIndex: index), index) : (.bareCR, index)
                }
                if byte == ByteClass.lf { return (.bareLF, index) }
                index += 1
            }
            return (.incomplete, index)
        }
        scanIndex = resumeAt
        return result
    }

    /// Consumes a line through the LF that follows `crIndex`.
    private mutating func consumeLine(crIndex: Int) {
        readIndex = crIndex + 2
        scanIndex = readIndex
    }

    /// Moves up to `limit` buffered bytes into the body and returns how many were moved.
    private mutating func takeBodyBytes(upTo limit: Int) -> Int {
        let count = min(limit, buffer.count - readIndex)
        guard count > 0 else { return 0 }
        if message.body.isEmpty {
            // Reserved once its first bytes are here, for the whole of a fixed body (the first
            // chunk of a chunked one): growing by doubling would occupy up to twice the body.
            message.body.reserveCapacity(limit)
        }
        message.body.append(contentsOf: buffer[readIndex..<(readIndex + count)])
        readIndex += count
        scanIndex = readIndex
        return count
    }

    /// Drops consumed bytes when that is cheap (nothing left) or worth it (a large consumed prefix).
    private mutating func compactIfWorthwhile() {
        if readIndex == buffer.count {
            if buffer.capacity > Self.retainedCapacity {
                buffer = []
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            readIndex = 0
            scanIndex = 0
        } else if readIndex >= Self.compactionThreshold, readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
    }
}
