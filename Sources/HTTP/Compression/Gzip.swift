import CZlib

/// Why zlib refused.
public struct GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidLevel = Code(rawValue: "invalid_level")
        public static let initializationFailed = Code(rawValue: "initialization_failed")
        public static let compressionFailed = Code(rawValue: "compression_failed")
        /// Not gzip, corrupt, or truncated.
        public static let invalidData = Code(rawValue: "invalid_data")
        /// Inflating would exceed the caller's size cap (a "zip bomb").
        public static let outputTooLarge = Code(rawValue: "output_too_large")
        /// The input is larger than zlib's 32-bit counters can take in one call.
        public static let inputTooLarge = Code(rawValue: "input_too_large")
    }

    public let code: Code
    /// zlib's return code, when it gave one.
    public let zlibStatus: Int32?

    public var description: String { "GzipError(\(code)\(zlibStatus.map { ", zlib \($0)" } ?? ""))" }
}

/// gzip (RFC 1952) through zlib, for response compression.
public enum Gzip {
    /// `windowBits` 15 (32 KiB window) plus 16 selects the gzip wrapper instead of zlib's.
    static let gzipWindowBits: Int32 = 15 + 16

    /// Compresses `bytes` into one gzip member. `level` is 0 (store) to 9 (smallest); 6 is
    /// zlib's default balance of speed and size.
    public static func compress(_ bytes: [UInt8], level: Int = 6) throws(GzipError) -> [UInt8] {
        guard (0...9).contains(level) else { throw GzipError(code: .invalidLevel, zlibStatus: nil) }
        guard bytes.count <= Int(UInt32.max) else { throw GzipError(code: .inputTooLarge, zlibStatus: nil) }
        var stream = z_stream()
        let initStatus = gatehouse_deflateInit2(&stream, Int32(level), gzipWindowBits, 8)
        guard initStatus == Z_OK else { throw GzipError(code: .initializationFailed, zlibStatus: initStatus) }
        defer { deflateEnd(&stream) }

        // deflateBound is an upper bound for a single Z_FINISH call, so one pass always completes.
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw GzipError(code: .compressionFailed, zlibStatus: status) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates one gzip member. Fails when the output would pass `maxOutputBytes`, when the
    /// data is corrupt or truncated, or when bytes follow the end of the member.
    public static func decompress(_ bytes: [UInt8], maxOutputBytes: Int) throws(GzipError) -> [UInt8] {
        guard bytes.count <= Int(UInt32.max) else { throw GzipError(code: .inputTooLarge, zlibStatus: nil) }
        var stream = z_stream()
        let initStatus = gatehouse_inflateInit2(&stream, gzipWindowBits)
        guard initStatus == Z_OK else { throw GzipError(code: .initializationFailed, zlibStatus: initStatus) }
        defer { inflateEnd(&stream) }

        var input = bytes
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var status: Int32 = Z_OK
        var failure: GzipError?
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunkBuffer.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    // Z_BUF_ERROR here means no progress was possible: the input ended early.
                    failure = GzipError(code: .invalidData, zlibStatus: status)
                    return
                }
                guard output.count + produced <= maxOutputBytes else {
                    failure = GzipError(code: .outputTooLarge, zlibStatus: nil)
                    return
                }
                output += chunk[..<produced]
                if status == Z_STREAM_END {
                    if stream.avail_in != 0 { failure = GzipError(code: .invalidData, zlibStatus: nil) }
                    return
                }
                if produced == 0 && stream.avail_in == 0 {
                    // All input consumed without reaching the end of the member: truncated.
                    failure = GzipError(code: .invalidData, zlibStatus: status)
                    return
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}
