import CSocket
#if canImport(Glibc)
import Glibc
#endif

/// An error from a socket system call, carrying the call's name and errno.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let errnoCode: Int32

    public var description: String {
        "\(operation) failed: \(String(cString: strerror(errnoCode))) (errno \(errnoCode))"
    }
}

/// What a non-blocking call did: finished with a value, or would have blocked.
enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

/// The one funnel every socket call goes through: it retries EINTR, turns EAGAIN into
/// `.wouldBlock`, and throws a typed error carrying errno for everything else,
/// so no caller has to remember those three cases.
enum SystemCall {
    @inline(__always)
    static func perform<T: BinaryInteger>(_ operation: String, _ call: () -> T) throws(SocketError) -> IOResult<T> {
        while true {
            let result = call()
            if result >= 0 { return .processed(result) }
            let code = gatehouse_errno()
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SocketError(operation: operation, errnoCode: code)
            }
        }
    }

    /// For calls that never legitimately return EAGAIN (bind, listen, setsockopt).
    static func require<T: BinaryInteger>(_ operation: String, _ call: () -> T) throws(SocketError) -> T {
        switch try perform(operation, call) {
        case .processed(let value): return value
        case .wouldBlock: throw SocketError(operation: operation, errnoCode: EAGAIN)
        }
    }

    static func close(_ fd: Int32) {
        // close(2) must not be retried on EINTR on Linux: the descriptor is already released.
        _ = Glibc.close(fd)
    }
}
