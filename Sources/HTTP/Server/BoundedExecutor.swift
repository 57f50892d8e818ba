import Foundation

/// At most `threadCount` threads of its own and a queue of bounded length, for work that blocks
/// (a password hash, a call to a provider, a wait for the database writer).
///
/// Connections run their handlers on Dispatch's shared pool. A handler that blocks there holds
/// one of that pool's few threads; 32 slow password checks took them all, and `/healthz` and
/// forward-auth waited seconds behind them. Work that may block runs here instead, where it
/// can only ever hold this executor's own threads, and admission is decided up front: when
/// `queueLimit` jobs already wait, `submit` refuses at once, and the caller answers 503 with
/// `Retry-After` rather than queueing without bound.
///
/// Time in the queue is bounded too: a job that waited longer than `maximumWaitSeconds` for a
/// thread is not run but told it expired (its caller answers 503), so a queue behind a provider
/// that hangs never keeps a person waiting for minutes.
///
/// Threads start when work arrives and end after `idleSeconds` without any, so an executor
/// that is not used (a provider nobody signs in with) holds no thread.
///
/// `@unchecked Sendable`: every stored property is a constant or only touched under `condition`.
public final class BoundedExecutor: @unchecked Sendable {
    public let name: String
    public let threadCount: Int
    public let queueLimit: Int
    public let idleSeconds: Double
    public let maximumWaitSeconds: Double

    /// A job, told whether it waited too long to be worth doing.
    public typealias Job = @Sendable (_ expired: Bool) -> Void

    private struct Queued {
        let job: Job
        let deadline: UInt64
    }

    private let condition = NSCondition()
    private var jobs: [Queued] = []
    private var head = 0
    private var threads = 0
    private var idleThreads = 0
    private var running = 0
    private var isStopping = false
    private var refusedCount: UInt64 = 0
    private var completedCount: UInt64 = 0
    private var expiredCount: UInt64 = 0

    public init(name: String, threads: Int, queueLimit: Int, maximumWaitSeconds: Double = 30, idleSeconds: Double = 30) {
        self.name = name
        threadCount = max(1, threads)
        self.queueLimit = max(0, queueLimit)
        self.maximumWaitSeconds = maximumWaitSeconds
        self.idleSeconds = idleSeconds
    }

    /// Queues `work`. False, and nothing queued, when `queueLimit` jobs already wait for a
    /// thread (work a free thread takes at once does not count) or the executor is stopping.
    public func submit(_ work: @escaping @Sendable () -> Void) -> Bool {
        submit { expired in if !expired { work() } }
    }

    /// Queues `job`, which is told `expired` when it waited longer than `maximumWaitSeconds`.
    public func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let waiting = jobs.count - head
        let freeThreads = threadCount - running
        guard !isStopping, waiting < queueLimit + max(0, freeThreads) else {
            refusedCount += 1
            return false
        }
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, maximumWaitSeconds) * 1_000_000_000)
        jobs.append(Queued(job: job, deadline: deadline))
        // More jobs waiting than threads idle to take them: start one, up to the bound.
        if jobs.count - head > idleThreads && threads < threadCount {
            threads += 1
            let thread = Thread { [self] in self.runJobs() }
            thread.name = "gatehouse.\(name)"
            thread.startWithSignalsBlocked()
        } else {
            condition.signal()
        }
        return true
    }

    /// Jobs waiting, jobs running, jobs refused, jobs that expired in the queue, and jobs
    /// completed so far, for `/metrics`.
    public var load: (waiting: Int, running: Int, refused: UInt64, expired: UInt64, completed: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        return (jobs.count - head, running, refusedCount, expiredCount, completedCount)
    }

    /// Threads alive now (started for work, not yet ended for want of it).
    public var liveThreads: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    /// Ends every thread once the running jobs finish; returns once they have ended. Jobs still
    /// queued are told they expired (their callers answer 503 at once) rather than run: their
    /// connections are being closed, and a queue of sign-ins each calling a provider would
    /// otherwise hold the shutdown for minutes (review finding).
    public func shutdown() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        while threads > 0 { condition.wait() }
        condition.unlock()
    }

    private func runJobs() {
        condition.lock()
        while true {
            if let queued = takeJob() {
                let expired = isStopping || DispatchTime.now().uptimeNanoseconds > queued.deadline
                running += 1
                if expired { expiredCount += 1 }
                condition.unlock()
                queued.job(expired)
                condition.lock()
                running -= 1
                completedCount += 1
                continue
            }
            if isStopping { break }
            idleThreads += 1
            let woken = condition.wait(until: Date(timeIntervalSinceNow: idleSeconds))
            idleThreads -= 1
            if !woken && head == jobs.count { break }
        }
        threads -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next job, under the lock; the array's taken front is dropped now and then.
    private func takeJob() -> Queued? {
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head >= 64 && head * 2 >= jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
