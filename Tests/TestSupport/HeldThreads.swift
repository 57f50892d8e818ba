import Dispatch
import Foundation

/// Runs `body` while `count` threads of their own each sit inside `hold`, at the point where
/// `hold` calls the function it is given: that call waits until `body` has returned. Returns
/// once every thread has left `hold`. For tests of what happens while something is held: the
/// database's writer (as by another process), every pooled reader.
///
/// `hold` must call its argument exactly once, or `body` never starts.
public func whileHeld<T>(
    by count: Int = 1, _ hold: @escaping @Sendable (_ waitForTheTest: @Sendable () -> Void) -> Void, _ body: () throws -> T
) rethrows -> T {
    let (holding, release, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
    for _ in 0..<count {
        Thread {
            hold {
                holding.signal()
                release.wait()
            }
            done.signal()
        }.start()
    }
    for _ in 0..<count { holding.wait() }
    defer {
        for _ in 0..<count { release.signal() }
        for _ in 0..<count { done.wait() }
    }
    return try body()
}
