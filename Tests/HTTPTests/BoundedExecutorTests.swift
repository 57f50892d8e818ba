import Dispatch
import Foundation
import Synchronization
import Testing
@testable import HTTP

/// The executor that blocking work runs on: bounded threads, bounded queue, refusal beyond.
@Suite struct BoundedExecutorTests {
    /// A gate jobs wait at until the test opens it, and a count of jobs that reached it.
    final class Gate: Sendable {
        let opened = DispatchSemaphore(value: 0)
        let arrived = Atomic<Int>(0)
        let inside = Atomic<Int>(0)
        let mostInside = Atomic<Int>(0)

        func pass() {
            let now = inside.add(1, ordering: .relaxed).newValue
            var seen = mostInside.load(ordering: .relaxed)
            while now > seen {
                let (exchanged, original) = mostInside.compareExchange(expected: seen, desired: now, ordering: .relaxed)
                if exchanged { break }
                seen = original
            }
            arrived.add(1, ordering: .relaxed)
            opened.wait()
            opened.signal()
            inside.subtract(1, ordering: .relaxed)
        }

        func waitForArrivals(_ count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while arrived.load(ordering: .relaxed) < count && Date() < deadline { usleep(1_000) }
        }
    }

    @Test func atMostItsThreadsRunAndTheQueueIsBounded() {
        let executor = BoundedExecutor(name: "test", threads: 2, queueLimit: 3)
        defer { executor.shutdown() }
        let gate = Gate()
        let done = DispatchGroup()
        var admitted = 0
        for _ in 0..<8 {
            done.enter()
            if executor.submit({ gate.pass(); done.leave() }) { admitted += 1 } else { done.leave() }
        }
        #expect(admitted == 5, "two running and three waiting; the rest refused at once")
        gate.waitForArrivals(2)
        #expect(executor.load.running == 2)
        #expect(executor.load.waiting == 3)
        #expect(executor.load.refused == 3)
        gate.opened.signal()
        done.wait()
        executor.shutdown()  // returns once every thread has ended, its counts updated
        #expect(gate.mostInside.load(ordering: .relaxed) == 2, "never more than its threads at once")
        #expect(executor.load.completed == 5)
    }

    @Test func aJobThatWaitedTooLongIsToldItExpired() {
        let executor = BoundedExecutor(name: "test", threads: 1, queueLimit: 4, maximumWaitSeconds: 0)
        defer { executor.shutdown() }
        let gate = Gate()
        let told = Mutex<[Bool]>([])
        let done = DispatchSemaphore(value: 0)
        #expect(executor.submit { _ in gate.pass() })
        gate.waitForArrivals(1)
        #expect(executor.submit { expired in told.withLock { $0.append(expired) }; done.signal() })
        gate.opened.signal()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(told.withLock { $0 } == [true], "it waited past the (zero) limit behind the first")
        #expect(executor.load.expired >= 1, "counted (the first job, taken at once, may count too: its limit is zero as well)")
    }

    /// Review finding: shutdown ran every queued job in full, for connections already being
    /// closed; a queue of sign-ins each calling a provider held the process for minutes. The
    /// running job finishes; those still queued are told they expired, so their callers answer
    /// at once; nothing is accepted after.
    @Test func shutdownFinishesTheRunningJobAndTellsTheQueuedOnesTheyExpired() {
        let executor = BoundedExecutor(name: "test", threads: 1, queueLimit: 10, maximumWaitSeconds: 3_600)
        let gate = Gate()
        let finished = Atomic<Int>(0)
        let toldExpired = Atomic<Int>(0)
        #expect(executor.submit { _ in gate.pass(); finished.add(1, ordering: .relaxed) })
        gate.waitForArrivals(1)
        for _ in 0..<4 {
            #expect(executor.submit { expired in
                if expired { toldExpired.add(1, ordering: .relaxed) } else { finished.add(1, ordering: .relaxed) }
            })
        }
        let stopped = DispatchSemaphore(value: 0)
        Thread { executor.shutdown(); stopped.signal() }.start()
        // Shutdown has begun once the executor refuses new work.
        let deadline = Date().addingTimeInterval(10)
        while executor.submit({ _ in }) && Date() < deadline { usleep(1_000) }
        gate.opened.signal()
        stopped.wait()
        #expect(finished.load(ordering: .relaxed) == 1, "the running job finished")
        #expect(toldExpired.load(ordering: .relaxed) == 4, "the queued ones were told they expired, none run")
        #expect(!executor.submit { _ in })
    }

    @Test func idleThreadsEndAndAreStartedAgainWhenWorkComes() {
        let executor = BoundedExecutor(name: "test", threads: 1, queueLimit: 1, idleSeconds: 0.05)
        defer { executor.shutdown() }
        let ran = DispatchSemaphore(value: 0)
        #expect(executor.submit { ran.signal() })
        #expect(ran.wait(timeout: .now() + 5) == .success)
        let deadline = Date().addingTimeInterval(10)
        while executor.liveThreads > 0 && Date() < deadline { usleep(1_000) }
        #expect(executor.liveThreads == 0, "the idle thread ended")
        #expect(executor.submit { ran.signal() })
        #expect(ran.wait(timeout: .now() + 5) == .success)
    }
}
