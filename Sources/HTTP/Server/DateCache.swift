import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header value, formatted once per second rather than once per response.
final class DateCache: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    func current() -> String {
        let second = Int(time(nil))
        return cached.withLock { entry in
            if entry.second != second {
                entry = (second, HTTPDate.format(secondsSince1970: second))
            }
            return entry.text
        }
    }
}
