/// Gathers one response as curl hands it over, and enforces the size caps while it does.
///
/// curl calls the header callback once per header line, for every header block it reads: interim
/// 1xx responses, then the final one, then any chunked trailers. Only the final block is kept.
/// The body callback stops the transfer the moment the body would pass the cap, so an oversized
/// answer costs at most one buffer's worth of memory beyond it.
final class ResponseCollector {
    /// No provider needs more header bytes than this; the cap bounds memory when one sends endless headers.
    static let maxHeaderBytes = 64 * 1024

    enum Overflow { case body, headers }

    private let maxBodyBytes: Int
    private(set) var headers: [BackChannelHeader] = []
    private(set) var body: [UInt8] = []
    /// Set when a cap was passed; curl then reports a write error, which this explains.
    private(set) var overflow: Overflow?
    private var headerBytes = 0
    /// True after the blank line that ends a block; later lines are trailers until a new status line.
    private var blockComplete = false

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Takes body bytes; false means "stop the transfer".
    func appendBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard chunk.count <= maxBodyBytes - body.count else {
            overflow = .body
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    /// Takes one header line, CRLF included; false means "stop the transfer".
    func appendHeaderLine(_ line: UnsafeRawBufferPointer) -> Bool {
        headerBytes += line.count
        guard headerBytes <= Self.maxHeaderBytes else {
            overflow = .headers
            return false
        }
        var bytes = Array(line)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        if bytes.starts(with: Array("HTTP/".utf8)) {
            // A new status line: whatever came before belonged to an interim response.
            headers.removeAll(keepingCapacity: true)
            blockComplete = false
            return true
        }
        if bytes.isEmpty {
            blockComplete = true
            return true
        }
        guard !blockComplete else { return true }  // a trailer, not a header of the response
        if let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            // An obsolete folded continuation line belongs to the previous field's value.
            if let previous = headers.popLast() {
                let continuation = String(decoding: bytes, as: UTF8.self).trimmingOptionalWhitespace()
                headers.append(BackChannelHeader(name: previous.name, value: previous.value + " " + continuation))
            }
            return true
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return true }  // not a field line; curl would have failed already
        let name = ASCIICase.lowercased(bytes: bytes[..<colon])
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingOptionalWhitespace()
        headers.append(BackChannelHeader(name: name, value: value))
        return true
    }
}

extension String {
    /// Trims spaces and tabs (OWS in RFC 9110) from both ends.
    fileprivate func trimmingOptionalWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
