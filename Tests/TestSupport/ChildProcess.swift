import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program a test runs, started with posix_spawn(3) and reaped with waitpid(2), instead of
/// Foundation's `Process`: on Linux, `Process.waitUntilExit` hung for good now and then with
/// its child already a zombie (seen in `make test`, parameterized cases spawning at once), and
/// a test that hangs one time in a hundred blocks a landing. Every pipe is close-on-exec, so a
/// child spawned by another test at the same moment never holds this one's pipe open.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The child's standard input, when `input` was requested; close it to send end-of-file.
    public let standardInput: FileHandle?
    /// The child's standard output (and error too, with `.combined`), when piped.
    public let output: FileHandle?
    /// The child's standard error, with `.separate`.
    public let errors: FileHandle?
    private var status: Int32?
    private let lock = NSLock()

    public enum Capture {
        /// Standard output and error both into one pipe, read through `output`.
        case combined
        /// Standard output through `output`, standard error through `errors`.
        case separate
        /// Both appended to this file.
        case file(String)
    }

    /// Starts `executable` with `arguments`. The environment is the test process's, without
    /// `GATEHOUSE_*` variables unless `keepGatehouseVariables`, merged with `environment`.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: Bool = false,
        capture: Capture = .combined, keepGatehouseVariables: Bool = false
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }

        var inputWriter: Int32?
        if input {
            let (reader, writer) = try Self.pipe()
            posix_spawn_file_actions_adddup2(&actions, reader, 0)
            childEnds.append(reader)
            parentEnds.append(writer)
            inputWriter = writer
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        var outputReader: Int32?
        var errorReader: Int32?
        switch capture {
        case .combined:
            let (reader, writer) = try Self.pipe()
            posix_spawn_file_actions_adddup2(&actions, writer, 1)
            posix_spawn_file_actions_adddup2(&actions, writer, 2)
            childEnds.append(writer)
            parentEnds.append(reader)
            outputReader = reader
        case .separate:
            let (reader, writer) = try Self.pipe()
            let (errorEnd, errorWriter) = try Self.pipe()
            posix_spawn_file_actions_adddup2(&actions, writer, 1)
            posix_spawn_file_actions_adddup2(&actions, errorWriter, 2)
            childEnds += [writer, errorWriter]
            parentEnds += [reader, errorEnd]
            outputReader = reader
            errorReader = errorEnd
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        var variables = ProcessInfo.processInfo.environment
        if !keepGatehouseVariables { variables = variables.filter { !$0.key.hasPrefix("GATEHOUSE_") } }
        variables.merge(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child starts with no signal blocked and the usual dispositions: tests run on
        // Dispatch's threads, which block SIGTERM, and a child inheriting that mask would never
        // hear a SIGTERM (nginx, a provider, `gatehouse serve` itself would need SIGKILL).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var spawned = pid_t()
        let result = posix_spawn(&spawned, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            parentEnds.forEach { close($0) }
            throw TestClient.Failure(description: "posix_spawn \(executable) failed: errno \(result)")
        }
        pid = spawned
        standardInput = inputWriter.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        output = outputReader.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        errors = errorReader.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    public struct Finished {
        public let status: Int32
        /// Standard output (with standard error too, unless `separateErrors`).
        public let output: String
        /// Standard error, with `separateErrors`; else empty.
        public let errors: String
    }

    /// Runs to the end: writes `stdin` (then end-of-file), collects the output, waits.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        separateErrors: Bool = false
    ) throws -> Finished {
        let child = try ChildProcess(
            executable, arguments, environment: environment, input: true, capture: separateErrors ? .separate : .combined
        )
        if let stdin, let writer = child.standardInput {
            // The child may exit before reading it all: a broken pipe is its answer, not our crash.
            Glibc.signal(SIGPIPE, SIG_IGN)
            try? writer.write(contentsOf: Data(stdin.utf8))
        }
        try? child.standardInput?.close()
        // Standard error is read on its own thread, so a child that fills one pipe while the
        // other is being read cannot stall both.
        let errorData = Mutex(Data())
        let errorsDone = DispatchSemaphore(value: 0)
        if let errors = child.errors {
            Thread.detachNewThread {
                let data = errors.readDataToEndOfFile()
                errorData.withLock { $0 = data }
                errorsDone.signal()
            }
        } else {
            errorsDone.signal()
        }
        let data = child.output?.readDataToEndOfFile() ?? Data()
        errorsDone.wait()
        return Finished(
            status: child.wait(), output: String(decoding: data, as: UTF8.self),
            errors: String(decoding: errorData.withLock { $0 }, as: UTF8.self)
        )
    }

    /// Waits for the child to end and returns its exit status (128 + the signal's number when a
    /// signal ended it).
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(raw)
        status = decoded
        return decoded
    }

    /// True until the child has ended (reaped without blocking).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = Self.decode(raw)
        return false
    }

    /// The exit status once it has ended, else nil.
    public var exitStatus: Int32? {
        isRunning ? nil : lock.withLock { status }
    }

    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGTERM, then SIGKILL after `graceSeconds`; returns once it has ended.
    public func stop(graceSeconds: Double = 1) {
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(graceSeconds)
        while isRunning, Date() < deadline { usleep(20_000) }
        signal(SIGKILL)
        wait()
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        }
    }

    private static func pipe() throws -> (reader: Int32, writer: Int32) {
        var ends: [Int32] = [0, 0]
        guard systemPipe2(&ends, O_CLOEXEC) == 0 else { throw TestClient.Failure(description: "pipe2 failed: errno \(errno)") }
        return (ends[0], ends[1])
    }

    private static func decode(_ raw: Int32) -> Int32 {
        let signalNumber = raw & 0x7F
        return signalNumber == 0 ? (raw >> 8) & 0xFF : 128 + signalNumber
    }
}

/// glibc's pipe2(2), which the Glibc module does not export: both ends are close-on-exec from
/// the moment they exist, with no window in which another thread's spawn could inherit them.
@_silgen_name("pipe2")
private func systemPipe2(_ ends: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
