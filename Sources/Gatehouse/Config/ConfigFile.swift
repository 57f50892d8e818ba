import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files (the configuration, secret files) with a size cap and a reason on failure.
enum ConfigFile {
    static func contents(atPath path: String, maximumBytes: Int) -> Result<Data, ConfigFileError> {
        // O_NONBLOCK so that opening a FIFO cannot hang waiting for a writer; it is refused
        // below as not a regular file. Regular files ignore the flag.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .failure(.system(errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.system(errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegularFile) }

        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.system(errno))
            }
            if count == 0 { return .success(data) }
            data.append(contentsOf: buffer[0..<count])
            if data.count > maximumBytes { return .failure(.tooLarge(maximumBytes: maximumBytes)) }
        }
    }
}

/// Why a configuration or secret file could not be read.
enum ConfigFileError: Error, Equatable, CustomStringConvertible {
    /// `open`, `fstat` or `read` failed with this errno.
    case system(Int32)
    /// A directory, device or pipe: configuration and secrets are regular files.
    case notRegularFile
    case tooLarge(maximumBytes: Int)

    var description: String {
        switch self {
        case .system(let code): return String(cString: strerror(code))
        case .notRegularFile: return "not a regular file"
        case .tooLarge(let maximum): return "larger than \(maximum) bytes"
        }
    }
}
