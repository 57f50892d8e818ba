import Foundation

/// Why a static-file root could not be used.
public struct StaticFilesError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "StaticFilesError(\(path): \(reason))" }
}

/// Serves files below one folder for a wildcard route such as `/static/*path`.
///
///     let files = try StaticFiles(root: "Public")
///     routes.get("/static/*path", handler: files.respond)
///
/// Containment rules, each closing a known way out of the folder:
/// - a `%2F`, `%5C` or `%00` anywhere in the raw path is refused (400): an encoded slash would
///   otherwise join segments after decoding, and a backslash or NUL means something else to
///   some file-system layer than to us;
/// - a decoded `..` or `.` segment, a literal `\` or a NUL is refused (400);
/// - empty segments (`a//b`, a trailing `/`) and directories are 404: there are no listings
///   and no index files, since pages are served by explicit routes;
/// - dot-files (`.env`, `.git/...`, editor swap files) are 404: they are never meant to be
///   public, and a deploy that copies a whole working tree should not publish them;
/// - the real path (all symlinks resolved) must lie inside the real root; a symlink inside
///   the root to another file inside it is fine, one pointing outside is 404.
///
/// Small files are cached in memory with their headers and their gzip form; every request
/// `stat`s the file and a changed device, inode, size or modification time re-reads it.
public struct StaticFiles: Sendable {
    public struct Configuration: Sendable {
        /// The `Cache-Control` header of every file response (and of 304s).
        public var cacheControl: String = "public, max-age=3600"
        /// The route's wildcard name that holds the relative path.
        public var parameterName: String = "path"
        /// Files up to this size are cached in memory.
        public var maxCachedFileBytes: Int = 256 * 1024
        /// The memory budget of the cache, gzip forms included.
        public var maxCacheBytes: Int = 8 * 1024 * 1024
        /// Files larger than this are not served at all (404): the body is sent from memory.
        public var maxFileBytes: Int = 32 * 1024 * 1024
        /// Compressible files smaller than this are sent as they are.
        public var compressionMinimumBytes: Int = 1024
        /// A cached file is served this long without asking the disk whether it changed.
        /// Zero checks on every request.
        public var revalidateAfterSeconds: Double = 1

        public init(
            cacheControl: String = "public, max-age=3600",
            parameterName: String = "path",
            maxCachedFileBytes: Int = 256 * 1024,
            maxCacheBytes: Int = 8 * 1024 * 1024,
            maxFileBytes: Int = 32 * 1024 * 1024,
            compressionMinimumBytes: Int = 1024,
            revalidateAfterSeconds: Double = 1
        ) {
            self.cacheControl = cacheControl
            self.parameterName = parameterName
            self.maxCachedFileBytes = maxCachedFileBytes
            self.maxCacheBytes = maxCacheBytes
            self.maxFileBytes = maxFileBytes
            self.compressionMinimumBytes = compressionMinimumBytes
            self.revalidateAfterSeconds = revalidateAfterSeconds
        }
    }

    /// The root with every symlink resolved, without a trailing slash (unless it is `/`).
    public let root: String
    public let configuration: Configuration
    let cache: StaticFileCache
    /// Files held in memory (`init(embedded:)`), by relative path; nil when served from `root`.
    private let embedded: [String: StaticFileEntry]?

    public init(root: String, configuration: Configuration = Configuration()) throws(StaticFilesError) {
        guard let resolved = Self.realPath(root) else {
            throw StaticFilesError(path: root, reason: "the folder does not exist or cannot be resolved")
        }
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw StaticFilesError(path: root, reason: "not a directory")
        }
        self.root = resolved
        self.configuration = configuration
        self.cache = StaticFileCache(
            maxTotalBytes: configuration.maxCacheBytes,
            revalidateAfter: UInt64(max(0, configuration.revalidateAfterSeconds) * 1_000_000_000)
        )
        embedded = nil
    }

    /// Serves `files` (relative path to bytes) from memory: the files a binary carries inside
    /// itself, so it serves them from any working directory. Every header value and the gzip
    /// form are computed once here; the ETag is a digest of the bytes, and `Last-Modified` is
    /// `modified` (the moment the process started, say).
    public init(embedded files: [String: [UInt8]], modified: Int, configuration: Configuration = Configuration()) {
        root = "(embedded)"
        self.configuration = configuration
        cache = StaticFileCache(maxTotalBytes: 0, revalidateAfter: 0)
        var entries: [String: StaticFileEntry] = [:]
        for (path, bytes) in files {
            let contentType = ContentTypes.forFileName(path)
            let compressible = CompressionPolicy.isCompressible(contentType: contentType)
            var gzip = StaticFileEntry.GzipForm.notWorthwhile
            if compressible, bytes.count >= configuration.compressionMinimumBytes,
               let compressed = try? Gzip.compress(bytes), compressed.count < bytes.count {
                gzip = .compressed(compressed)
            }
            let identity = FileIdentity(device: 0, inode: 0, size: bytes.count, modifiedSeconds: modified, modifiedNanoseconds: 0)
            entries[path] = StaticFileEntry(
                identity: identity, validatedAt: 0, body: bytes, contentType: contentType, etag: Self.etag(forContent: bytes),
                lastModified: HTTPDate.format(secondsSince1970: modified), compressible: compressible, gzip: gzip
            )
        }
        embedded = entries
    }

    /// The handler for a wildcard route: serves the file named by the wildcard parameter.
    public func respond(to request: Request) -> Response {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPError.methodNotAllowed(allow: ["GET", "HEAD"]).response(for: request)
        }
        guard !Self.hasEncodedSeparator(request.path) else {
            return HTTPError.badRequest("The path contains an encoded slash, backslash or NUL.").response(for: request)
        }
        guard let relativePath = request.pathParameters[configuration.parameterName] else {
            return HTTPError.notFound.response(for: request)
        }
        return respond(to: request, relativePath: relativePath)
    }

    /// Serves `relativePath` (already percent-decoded, segments separated by `/`).
    public func respond(to request: Request, relativePath: String) -> Response {
        switch Self.check(relativePath) {
        case .badRequest(let detail):
            return HTTPError.badRequest(detail).response(for: request)
        case .notFound:
            return HTTPError.notFound.response(for: request)
        case .allowed:
            break
        }
        guard var entry = loadEntry(relativePath) else {
            return HTTPError.notFound.response(for: request)
        }

        var headers: HTTPHeaders = [
            "Content-Type": entry.contentType,
            "Cache-Control": configuration.cacheControl,
            "Last-Modified": entry.lastModified,
        ]
        var body = entry.body
        var etag = entry.etag
        // A file too large to be cached would be compressed again at every request, on the event
        // loop: it is sent as it is (review finding: many requests for a large source map held
        // the loops that answer forward-auth). Embedded files are compressed once at start.
        let cachedForm = embedded != nil || entry.body.count <= configuration.maxCachedFileBytes
        let worthCompressing = entry.compressible && entry.body.count >= configuration.compressionMinimumBytes && cachedForm
        if worthCompressing {
            headers.add("Vary", "Accept-Encoding")
            if CompressionPolicy.acceptsGzip(request.headers), let gzip = gzipForm(of: &entry, path: relativePath) {
                body = gzip
                etag = CompressionPolicy.gzipETag(etag)
                headers.add("Content-Encoding", "gzip")
            }
        }
        headers.add("ETag", etag)

        let conditions = request.headers.values(of: "If-None-Match")
        if !conditions.isEmpty, Self.ifNoneMatch(conditions, matches: etag) {
            headers.remove("Content-Type")
            headers.remove("Content-Encoding")
            return Response(status: .notModified, headers: headers, body: [])
        }
        // HEAD keeps the body so Content-Length is right; the connection does not send it.
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Path checks

    enum PathCheck: Equatable {
        case allowed
        case badRequest(String)
        case notFound
    }

    static func check(_ relativePath: String) -> PathCheck {
        if relativePath.utf8.contains(0) || relativePath.utf8.contains(UInt8(ascii: "\\")) {
            return .badRequest("The path contains a backslash or NUL.")
        }
        for segment in relativePath.split(separator: "/", omittingEmptySubsequences: false) {
            if segment == "." || segment == ".." { return .badRequest("The path contains a dot segment.") }
            if segment.isEmpty || segment.hasPrefix(".") { return .notFound }
        }
        return .allowed
    }

    /// Looks for `%2F`, `%5C` or `%00` in either case in the still-encoded path.
    static func hasEncodedSeparator(_ rawPath: Substring) -> Bool {
        var bytes = rawPath.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else { continue }
            guard let high = bytes.next(), let low = bytes.next() else { return false }
            switch (high, low | 0x20) {
            case (UInt8(ascii: "2"), UInt8(ascii: "f")), (UInt8(ascii: "5"), UInt8(ascii: "c")),
                 (UInt8(ascii: "0"), UInt8(ascii: "0")):
                return true
            default:
                continue
            }
        }
        return false
    }

    /// Weak comparison (RFC 9110 section 13.1.2): `W/` is ignored on both sides; `*` matches
    /// any existing file.
    static func ifNoneMatch(_ fieldValues: [String], matches etag: String) -> Bool {
        let target = etag.hasPrefix("W/") ? etag.dropFirst(2) : etag[...]
        for fieldValue in fieldValues {
            for member in fieldValue.split(separator: ",") {
                var tag = member.trimmingASCIIWhitespace()
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
                if tag == target { return true }
            }
        }
        return false
    }

    // MARK: Loading

    /// The current entry for `relativePath`, from the cache when still valid, or nil when the
    /// file is missing, not a regular file, too large, or resolves outside the root.
    func loadEntry(_ relativePath: String) -> StaticFileEntry? {
        if let embedded { return embedded[relativePath] }
        let now = DispatchTime.now().uptimeNanoseconds
        if let recent = cache.recentlyValidatedEntry(for: relativePath, now: now) { return recent }
        let fullPath = root == "/" ? "/" + relativePath : root + "/" + relativePath
        var info = stat()
        guard stat(fullPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let identity = Self.identity(of: info)
        if let cached = cache.entry(for: relativePath, identity: identity, now: now) { return cached }

        // Not cached or changed: check containment again before reading, since the file
        // (or a directory on its way) may now be a symlink.
        guard let resolved = Self.realPath(fullPath), isInsideRoot(resolved) else { return nil }
        guard let (bytes, openedIdentity) = readFile(resolved) else { return nil }
        let contentType = ContentTypes.forFileName(relativePath)
        let entry = StaticFileEntry(
            identity: openedIdentity,
            validatedAt: now,
            body: bytes,
            contentType: contentType,
            etag: Self.etag(for: openedIdentity),
            lastModified: HTTPDate.format(secondsSince1970: openedIdentity.modifiedSeconds),
            compressible: CompressionPolicy.isCompressible(contentType: contentType),
            gzip: .unknown
        )
        if bytes.count <= configuration.maxCachedFileBytes {
            cache.store(entry, for: relativePath)
        }
        return entry
    }

    /// The gzip body, computed once per file version and kept with the cached entry.
    private func gzipForm(of entry: inout StaticFileEntry, path: String) -> [UInt8]? {
        switch entry.gzip {
        case .compressed(let bytes): return bytes
        case .notWorthwhile: return nil
        case .unknown:
            if let compressed = try? Gzip.compress(entry.body), compressed.count < entry.body.count {
                entry.gzip = .compressed(compressed)
            } else {
                entry.gzip = .notWorthwhile
            }
            if entry.body.count <= configuration.maxCachedFileBytes { cache.store(entry, for: path) }
            if case .compressed(let bytes) = entry.gzip { return bytes }
            return nil
        }
    }

    func isInsideRoot(_ resolved: String) -> Bool {
        if root == "/" { return true }
        return resolved.hasPrefix(root + "/")
    }

    /// Reads the whole file and the identity of what was actually opened, so the cached bytes
    /// and their ETag always belong together even if the file is replaced meanwhile.
    private func readFile(_ path: String) -> ([UInt8], FileIdentity)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(info.st_size)
        guard size >= 0, size <= configuration.maxFileBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return read(descriptor, base + filled, size - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }  // error, or the file shrank while reading
            filled += count
        }
        return (bytes, Self.identity(of: info))
    }

    // MARK: Helpers

    static func identity(of info: stat) -> FileIdentity {
        FileIdentity(
            device: UInt64(truncatingIfNeeded: info.st_dev),
            inode: UInt64(truncatingIfNeeded: info.st_ino),
            size: Int(truncatingIfNeeded: info.st_size),
            modifiedSeconds: Int(truncatingIfNeeded: info.st_mtim.tv_sec),
            modifiedNanoseconds: Int(truncatingIfNeeded: info.st_mtim.tv_nsec)
        )
    }

    /// A strong validator from size, modification time and inode, like nginx's but with the
    /// inode so a same-size replacement in the same second still changes it.
    static func etag(for identity: FileIdentity) -> String {
        let nanoseconds = identity.modifiedSeconds &* 1_000_000_000 &+ identity.modifiedNanoseconds
        return "\"" + String(identity.size, radix: 16) + "-" + String(UInt64(bitPattern: Int64(nanoseconds)), radix: 16)
            + "-" + String(identity.inode, radix: 16) + "\""
    }

    /// A strong validator from the bytes themselves (64-bit FNV-1a and the length), for files
    /// with no inode or modification time of their own.
    static func etag(forContent bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return "\"" + String(bytes.count, radix: 16) + "-" + String(hash, radix: 16) + "\""
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
