import Synchronization

/// Idle curl handles kept for reuse, so consecutive calls to the same provider reuse its open
/// connection and TLS session instead of paying a new handshake each time.
///
/// A handle is used by one caller at a time: `checkOut` removes it from the pool under the lock,
/// `checkIn` resets it (no request's options, body or headers linger) and puts it back.
final class HandlePool: Sendable {
    private let idle = Mutex<[CurlHandle]>([])
    /// Beyond this many idle handles, returned ones are freed; concurrency above it still works,
    /// it just opens new handles.
    private let maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = maxIdle
    }

    func checkOut() throws(BackChannelError) -> CurlHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try CurlHandle()
    }

    func checkIn(_ handle: CurlHandle) {
        handle.reset()
        // A handle the pool has no room for is freed when this function returns, outside the lock.
        idle.withLock { handles in
            if handles.count < maxIdle { handles.append(handle) }
        }
    }
}
