#if canImport(Glibc)
import Glibc
#endif

/// A reader connection that belongs to one thread, for one `Database`: the thread reads on it
/// without taking one from the shared pool, so it never waits behind a slow read of another
/// thread. `isInUse` is touched only by the owning thread; it sends a read nested inside
/// another (which would wait for itself) to the pool instead.
final class ThreadReader {
    let connection: SerializedConnection
    var isInUse = false

    init(_ connection: SerializedConnection) {
        self.connection = connection
    }
}

/// Each thread's own readers, by the identity of their `Database`, in one thread-specific slot
/// for the process (a slot per database would spend the process's few keys on every database a
/// test opens).
enum ThreadReaders {
    private final class Table {
        var readers: [UInt64: ThreadReader] = [:]
    }

    /// Nil only if the process ran out of thread-specific keys; threads then read from the pool.
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, nil) == 0 ? key : nil
    }()

    /// The calling thread's reader for the database `identity`, if it has one.
    static func reader(for identity: UInt64) -> ThreadReader? {
        guard let key, let table = pthread_getspecific(key) else { return nil }
        return Unmanaged<Table>.fromOpaque(table).takeUnretainedValue().readers[identity]
    }

    /// Gives the calling thread `reader` for the database `identity`, or takes it away (nil).
    /// False when there is no slot to keep it in.
    @discardableResult
    static func set(_ reader: ThreadReader?, for identity: UInt64) -> Bool {
        guard let key else { return false }
        let table: Table
        if let existing = pthread_getspecific(key) {
            table = Unmanaged<Table>.fromOpaque(existing).takeUnretainedValue()
        } else {
            guard reader != nil else { return true }
            table = Table()
            pthread_setspecific(key, Unmanaged.passRetained(table).toOpaque())
        }
        table.readers[identity] = reader
        if table.readers.isEmpty {
            pthread_setspecific(key, nil)
            Unmanaged.passUnretained(table).release()
        }
        return true
    }
}
