import Foundation

/// What identifies one version of a file: if any of these changes, the cached copy is stale.
/// The device and inode catch a file replaced by rename even with the same size and time.
struct FileIdentity: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int
}

/// A file ready to serve: the bytes and every header value computed once.
struct StaticFileEntry: Sendable {
    enum GzipForm: Sendable {
        /// Not computed yet.
        case unknown
        /// gzip does not make this file smaller, or it is too small or not compressible.
        case notWorthwhile
        case compressed([UInt8])
    }

    let identity: FileIdentity
    /// When (monotonic nanoseconds) `identity` was last confirmed against the disk.
    var validatedAt: UInt64
    let body: [UInt8]
    let contentType: String
    let etag: String
    let lastModified: String
    let compressible: Bool
    var gzip: GzipForm

    var cachedBytes: Int {
        if case .compressed(let bytes) = gzip { return body.count + bytes.count }
        return body.count
    }
}

/// Small files by relative path. An entry is trusted without a `stat` for `revalidateAfter`
/// nanoseconds after it was last confirmed (the stat cost a third of a cached request), then
/// checked again, so a changed file is served within that interval, as with nginx's
/// `open_file_cache_valid`. Bounded by a byte budget; when full, arbitrary entries are dropped
/// (the set of files is small and fixed, so nothing smarter pays off).
///
/// `@unchecked Sendable` because the dictionary is only touched under `lock`.
final class StaticFileCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: StaticFileEntry] = [:]
    private var totalBytes = 0
    let maxTotalBytes: Int
    let revalidateAfter: UInt64

    init(maxTotalBytes: Int, revalidateAfter: UInt64) {
        self.maxTotalBytes = maxTotalBytes
        self.revalidateAfter = revalidateAfter
    }

    /// The entry for `path` if it was confirmed against the disk recently enough to skip a `stat`.
    func recentlyValidatedEntry(for path: String, now: UInt64) -> StaticFileEntry? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[path], now &- entry.validatedAt < revalidateAfter else { return nil }
        return entry
    }

    /// The entry for `path` if it still describes the file on disk, marked as confirmed at `now`.
    func entry(for path: String, identity: FileIdentity, now: UInt64) -> StaticFileEntry? {
        lock.lock()
        defer { lock.unlock() }
        guard entries[path]?.identity == identity else { return nil }
        entries[path]?.validatedAt = now
        return entries[path]
    }

    func store(_ entry: StaticFileEntry, for path: String) {
        let size = entry.cachedBytes
        guard size <= maxTotalBytes else { return }
        lock.lock()
        defer { lock.unlock() }
        if let old = entries.removeValue(forKey: path) { totalBytes -= old.cachedBytes }
        while totalBytes + size > maxTotalBytes, let victim = entries.first {
            entries.removeValue(forKey: victim.key)
            totalBytes -= victim.value.cachedBytes
        }
        entries[path] = entry
        totalBytes += size
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
