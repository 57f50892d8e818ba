import Foundation
import Testing
@testable import Gatehouse

/// The log's own writer thread (`LogSink`).
@Suite struct LogSinkTests {
    /// Review finding: the writer waited without a deadline once the buffer was empty, and only a
    /// warning or 16 KiB of lines woke it: an info line on a quiet server waited for hours.
    @Test func anInfoLineOnAQuietSinkIsWrittenWithoutWaitingForAnother() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let sink = LogSink(fd: ends[1])
        sink.write("first line", urgent: true)
        #expect(try Self.read(ends[0], until: "first line"))
        let deadline = Date().addingTimeInterval(10)
        while !sink.isIdle && Date() < deadline { usleep(1_000) }
        #expect(sink.isIdle, "the writer waits with nothing to write")
        // A line that is not urgent must wake it all the same.
        sink.write("second line, info", urgent: false)
        #expect(try Self.read(ends[0], until: "second line, info"), "written within seconds, not at the next warning")
    }

    /// Reads from `fd` until `text` has arrived, for at most ten seconds.
    private static func read(_ fd: Int32, until text: String) throws -> Bool {
        var received = ""
        let deadline = Date().addingTimeInterval(10)
        while !received.contains(text) && Date() < deadline {
            var readable = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = Glibc.read(fd, &buffer, buffer.count)
            guard count > 0 else { return false }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return received.contains(text)
    }
}
