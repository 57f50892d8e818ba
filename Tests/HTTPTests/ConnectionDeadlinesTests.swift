import Testing
@testable import HTTP

/// The deadline machine is driven with explicit instants: no test here sleeps.
@Suite struct ConnectionDeadlinesTests {
    let timeouts = ConnectionTimeouts(headerSeconds: 10, bodySeconds: 30, idleSeconds: 60, writeSeconds: 20)
    let second: UInt64 = 1_000_000_000

    @Test func freshConnectionThatSendsNothingIsHeldToTheHeaderDeadline() {
        let machine = ConnectionDeadlines(timeouts: timeouts, now: 0)
        #expect(machine.tick(now: 9 * second) == .none)
        #expect(machine.tick(now: 10 * second) == .close(reason: .headerTimeout, respondWith: nil))
    }

    @Test func slowlorisTricklingHeaderBytesDoesNotExtendTheDeadline() {
        var machine = ConnectionDeadlines(timeouts: timeouts, now: 0)
        machine.bytesReceived(parserPhase: .head, now: 1 * second)
        for instant in 2...10 {
            machine.bytesReceived(parserPhase: .head, now: UInt64(instant) * second)
        }
        #expect(machine.tick(now: 10 * second) == .none)
        #expect(machine.tick(now: 11 * second) == .close(reason: .headerTimeout, respondWith: nil))
    }

    @Test func slowBodyGets408() {
        var machine = ConnectionDeadlines(timeouts: timeouts, now: 0)
        machine.bytesReceived(parserPhase: .head, now: 0)
        machine.bytesReceived(parserPhase: .body, now: 2 * second)
        #expect(machine.phase == .readingBody)
        #expect(machine.tick(now: 31 * second) == .none)
        #expect(machine.tick(now: 32 * second) == .close(reason: .bodyTimeout, respondWith: 408))
    }

    @Test func noDeadlineWhileAHandlerRuns() {
        var machine = ConnectionDeadlines(timeouts: timeouts, now: 0)
        machine.bytesReceived(parserPhase: .head, now: 0)
        machine.requestStarted(now: 1 * second)
        #expect(machine.deadline == nil)
        #expect(machine.tick(now: 1_000 * second) == .none)
    }

    @Test func keptAliveConnectionUsesTheIdleDeadlineAfterItsFirstResponse() {
        var machine = ConnectionDeadlines(timeouts: timeouts, now: 0)
        machine.bytesReceived(parserPhase: .head, now: 0)
        machine.requestStarted(now: 1 * second)
        machine.responsesFlushed(now: 2 * second)
        #expect(machine.tick(now: 61 * second) == .none)
        #expect(machine.tick(now: 62 * second) == .close(reason: .idleTimeout, respondWith: nil))
        // The next request's first byte starts a fresh header deadline.
        machine.bytesReceived(parserPhase: .head, now: 50 * second)
        #expect(machine.tick(now: 59 * second) == .none)
        #expect(machine.tick(now: 60 * second) == .close(reason: .headerTimeout, respondWith: nil))
    }

    @Test func clientThatDoesNotReadIsCutOffByTheWriteDeadline() {
        var machine = ConnectionDeadlines(timeouts: timeouts, now: 0)
        machine.requestStarted(now: 0)
        machine.writeBlocked(now: 1 * second)
        machine.writeBlocked(now: 15 * second)  // still blocked: the deadline keeps its start
        #expect(machine.tick(now: 20 * second) == .none)
        #expect(machine.tick(now: 21 * second) == .close(reason: .writeTimeout, respondWith: nil))
    }
}
