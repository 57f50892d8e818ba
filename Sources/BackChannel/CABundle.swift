import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// The certificates trusted for one client: the system store plus a provider's extra PEM file.
///
/// curl's `CURLOPT_CAINFO` would *replace* the system store, so a provider with an in-house CA could
/// no longer reach anything publicly trusted. Instead the system bundle and the extra file are
/// concatenated once, at start-up, and handed over with `CURLOPT_CAINFO_BLOB`. The bytes live in
/// memory this object owns for its whole life; it is immutable after `init`, so sharing it between
/// threads is safe.
final class CABundle: @unchecked Sendable {
    /// PEM text, not NUL-terminated; curl takes a pointer and a length.
    let bytes: UnsafeMutableRawBufferPointer

    /// Where Debian and Ubuntu keep the system bundle, used when curl reports no default.
    static let debianSystemBundlePath = "/etc/ssl/certs/ca-certificates.crt"
    /// No real bundle comes near this; a larger file is a mistake (or not a bundle at all).
    static let maxFileBytes = 16 << 20

    /// Reads the extra file (which must hold at least one PEM certificate) and the system bundle.
    /// An unreadable system bundle leaves the extra certificates alone trusted: stricter, never looser.
    init(extraPath: String, systemPath: String) throws(BackChannelError) {
        guard let extra = Self.readFile(extraPath, limit: Self.maxFileBytes) else {
            throw BackChannelError(.caBundleUnreadable, "cannot read extra CA bundle \(extraPath)")
        }
        guard Self.containsPEMCertificate(extra) else {
            throw BackChannelError(.caBundleUnreadable, "extra CA bundle \(extraPath) holds no PEM certificate")
        }
        var combined = Self.readFile(systemPath, limit: Self.maxFileBytes) ?? []
        if let last = combined.last, last != UInt8(ascii: "\n") { combined.append(UInt8(ascii: "\n")) }
        combined.append(contentsOf: extra)
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: combined.count, alignment: 1)
        combined.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    deinit { bytes.deallocate() }

    /// The CA file curl was built to use, or the Debian location when it reports none.
    static func systemBundlePath() -> String {
        guard let handle = curl_easy_init() else { return debianSystemBundlePath }
        defer { curl_easy_cleanup(handle) }
        var path: UnsafeMutablePointer<CChar>? = nil
        guard gatehouse_curl_getinfo_string(handle, CURLINFO_CAINFO, &path) == CURLE_OK, let path else {
            return debianSystemBundlePath
        }
        return String(cString: path)
    }

    static func containsPEMCertificate(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
        guard bytes.count >= marker.count else { return false }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    /// The whole file, or nil when it cannot be opened or read or is larger than `limit`.
    static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            guard contents.count + count <= limit else { return nil }
            contents.append(contentsOf: chunk[..<count])
        }
    }
}
