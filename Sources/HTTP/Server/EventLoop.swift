import CSocket
import Dispatch
import Foundation
import Synchronization

/// A thread with an epoll instance of its own, on which its connections live: it waits for any
/// of their sockets to become readable or writable and runs the connection's code right there,
/// as nginx's workers do. The server runs one per core.
///
/// Dispatch read sources cost every request a wake-up of Dispatch's event thread, a hop to a
/// worker thread through an eventfd, and an epoll_ctl to re-arm; profiles of forward-auth showed
/// context switches and `eventfd_write` above any work of ours. Here a request on a kept-alive
/// connection costs one epoll_wait return, its read, its handler and its send. Work for a loop
/// from another thread (a response made on an executor) is posted with
/// `execute`, which wakes the loop through an eventfd only when it is not already awake.
///
/// Every loop also watches every listening socket and accepts on it itself (see
/// `watchListener`): a new connection then costs the wake-up of the loop that will serve it,
/// not also one of an accepting thread that hands it over.
///
/// Every connection's deadlines are checked by its own loop, four times a second.
///
/// `@unchecked Sendable`: `connections`, `listeners` and `localTasks` are touched only on the loop's thread;
/// everything else is a constant, an atomic or behind its mutex.
final class EventLoop: @unchecked Sendable {
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Tasks posted from other threads, and whether the loop has closed its descriptors. A task
    /// posted after that is dropped, and its wake-up is never written: review finding, a
    /// response finished on an executor after the loop stopped wrote 8 bytes to the eventfd's
    /// old number, which by then could be a client's socket or the database's file.
    private struct Posted {
        var tasks: [@Sendable () -> Void] = []
        var isClosed = false
    }

    private let posted = Mutex(Posted())
    /// Wake-ups written to the eventfd, for the test that none is written once it is closed.
    let wakeWrites = Atomic<UInt64>(0)
    /// Set when a wake-up is written and cleared when the loop reads it: at most one eventfd
    /// write per wake, however many tasks are posted meanwhile.
    private let wakePending = Atomic<Bool>(false)
    private let isStopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private let loopThread = Atomic<UInt>(0)

    private var connections: [Int32: Connection] = [:]
    /// Listening sockets, each with what to do when a connection waits on it.
    private var listeners: [Int32: () -> Void] = [:]
    /// Listeners set aside by `restListener`, with when the sweep watches them again.
    private var restingListeners: [Int32: (resumeAt: UInt64, acceptable: () -> Void)] = [:]
    private var localTasks: [() -> Void] = []

    static let sweepNanoseconds: UInt64 = 250_000_000

    init() throws(SocketError) {
        epollFD = gatehouse_epoll_create()
        guard epollFD >= 0 else { throw SocketError(operation: "epoll_create1", errnoCode: gatehouse_errno()) }
        wakeFD = gatehouse_wakeup_fd()
        guard wakeFD >= 0 else {
            SystemCall.close(epollFD)
            throw SocketError(operation: "eventfd", errnoCode: gatehouse_errno())
        }
        _ = gatehouse_epoll_add(epollFD, wakeFD, 1, 0)
    }

    /// Starts the loop's thread, with every signal blocked; `hooks` run on it first and last.
    func start(name: String, hooks: LoopThreadHooks = LoopThreadHooks()) {
        let thread = Thread { [self] in
            hooks.started()
            self.run()
            hooks.ending()
            stopped.signal()
        }
        thread.name = name
        thread.startWithSignalsBlocked()
    }

    /// Ends the loop once it has run what was posted; returns when its thread is done, however
    /// many times it is called (review finding: a second call waited forever).
    func stop() {
        isStopping.store(true, ordering: .relaxed)
        posted.withLock { posted in
            if !posted.isClosed { wake() }
        }
        stopped.wait()
        // Passed on, so the next caller returns at once too.
        stopped.signal()
    }

    /// Runs `task` on the loop's thread: after the current batch of events when called there,
    /// otherwise as soon as the loop wakes. False, and `task` dropped, when the loop has ended.
    @discardableResult
    func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        if isLoopThread {
            localTasks.append(task)
            return true
        }
        // The wake-up is written under the lock, so none is written after the loop closes.
        return posted.withLock { posted in
            guard !posted.isClosed else { return false }
            posted.tasks.append(task)
            wake()
            return true
        }
    }

    var isLoopThread: Bool { loopThread.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: pthread_self())) }

    /// Call with `posted` locked and not closed.
    private func wake() {
        guard !wakePending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
        wakeWrites.add(1, ordering: .relaxed)
    }

    // MARK: On the loop's thread

    /// Watches `connection`'s socket for reading.
    func register(_ connection: Connection) {
        connections[connection.fd] = connection
        _ = gatehouse_epoll_add(epollFD, connection.fd, 1, 0)
    }

    func setInterest(_ connection: Connection, readable: Bool, writable: Bool) {
        _ = gatehouse_epoll_modify(epollFD, connection.fd, readable ? 1 : 0, writable ? 1 : 0)
    }

    /// Watches a listening socket: `acceptable` runs on this loop whenever connections wait on
    /// it. Every loop watches every listener, with EPOLLEXCLUSIVE, so the kernel wakes one loop
    /// that is waiting (one with time to serve the connection), not every loop.
    func watchListener(_ fd: Int32, acceptable: @escaping () -> Void) {
        listeners[fd] = acceptable
        _ = gatehouse_epoll_add_listener(epollFD, fd)
    }

    /// Stops watching a listening socket; call before closing it.
    func unwatchListener(_ fd: Int32) {
        _ = gatehouse_epoll_remove(epollFD, fd)
        listeners[fd] = nil
        restingListeners[fd] = nil
    }

    /// Stops watching a listening socket until the next sweep: accept failed for want of a
    /// descriptor (EMFILE, ENFILE) or of kernel memory, and the socket, still readable with the
    /// connection it could not take, would wake this loop again at once. Review finding: every
    /// loop then spun at a whole core until a descriptor was freed, and a client that held
    /// enough connections could keep it so. A sweep watches it again after 250 to 500 ms.
    func restListener(_ fd: Int32) {
        guard let acceptable = listeners[fd] else { return }
        _ = gatehouse_epoll_remove(epollFD, fd)
        listeners[fd] = nil
        restingListeners[fd] = (DispatchTime.now().uptimeNanoseconds &+ Self.sweepNanoseconds, acceptable)
    }

    /// Stops watching `connection`; call before closing its descriptor.
    func deregister(_ connection: Connection) {
        _ = gatehouse_epoll_remove(epollFD, connection.fd)
        connections[connection.fd] = nil
    }

    private func run() {
        loopThread.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .relaxed)
        var fds = [Int32](repeating: 0, count: 256)
        var events = [Int32](repeating: 0, count: 256)
        var nextSweep = DispatchTime.now().uptimeNanoseconds &+ Self.sweepNanoseconds
        while !isStopping.load(ordering: .relaxed) {
            let now = DispatchTime.now().uptimeNanoseconds
            let timeout = nextSweep > now ? Int32(min((nextSweep - now) / 1_000_000 + 1, 1000)) : 0
            let count = gatehouse_epoll_wait(epollFD, &fds, &events, 256, timeout)
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = fds[index]
                    if fd == wakeFD {
                        drainWakeups()
                    } else if let connection = connections[fd] {
                        connection.handle(events: events[index])
                    } else {
                        listeners[fd]?()
                    }
                }
            }
            runLocalTasks()
            let after = DispatchTime.now().uptimeNanoseconds
            if after >= nextSweep {
                sweep(now: after)
                runLocalTasks()
                nextSweep = after &+ Self.sweepNanoseconds
            }
        }
        posted.withLock { $0.isClosed = true }
        drainWakeups()
        runLocalTasks()
        // Connections still lingering after their last response are closed with their loop.
        for connection in connections.values { connection.endLingering() }
        SystemCall.close(wakeFD)
        SystemCall.close(epollFD)
        // A thread started later can be given the same pthread_t: it must not pass for this
        // loop's (review finding: it queued tasks that no loop would ever run).
        loopThread.store(0, ordering: .relaxed)
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
        wakePending.store(false, ordering: .releasing)
        let tasks = posted.withLock { posted -> [@Sendable () -> Void] in
            defer { posted.tasks.removeAll(keepingCapacity: true) }
            return posted.tasks
        }
        for task in tasks { task() }
    }

    /// Runs what the loop's own code scheduled; what those tasks schedule in turn runs too.
    private func runLocalTasks() {
        while !localTasks.isEmpty {
            let tasks = localTasks
            localTasks.removeAll(keepingCapacity: true)
            for task in tasks { task() }
        }
    }

    private func sweep(now: UInt64) {
        for (fd, rest) in restingListeners where rest.resumeAt <= now {
            restingListeners[fd] = nil
            watchListener(fd, acceptable: rest.acceptable)
        }
        for connection in connections.values where connection.nextDeadline.load(ordering: .relaxed) <= now {
            connection.checkDeadline(now: now)
        }
    }
}
