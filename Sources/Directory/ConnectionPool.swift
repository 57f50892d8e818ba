import CLDAP
import Foundation

/// At most `settings.poolSize` open connections for one purpose, reused one borrower at a
/// time. A borrower that finds them all busy waits until its deadline, then is refused
/// (`poolExhausted`): a slow directory holds at most this many connections and makes callers
/// wait at most their total timeout, never without bound.
///
/// A new connection tries the URIs in the configured order (or a fresh random one), skipping a
/// server that is down, refuses TLS or does not answer within the connect timeout; `prepare`
/// then readies it (the service account's bind, for the search pool).
///
/// `@unchecked Sendable`: the mutable state is only touched under `condition`.
final class ConnectionPool: @unchecked Sendable {
    private let settings: DirectorySettings
    private let prepare: @Sendable (LDAPConnection) throws(DirectoryError) -> Void
    private let condition = NSCondition()
    private var idle: [LDAPConnection] = []
    private var open = 0

    init(settings: DirectorySettings, prepare: @escaping @Sendable (LDAPConnection) throws(DirectoryError) -> Void) {
        self.settings = settings
        self.prepare = prepare
    }

    /// Runs `body` on a pooled connection. A connection that fails as unreachable is closed,
    /// not returned, and the body is tried once more on a fresh one (the server may have gone
    /// down since the connection was made: failover reaches the next one).
    func with<T>(deadline: ContinuousClock.Instant, _ body: (LDAPConnection) throws(DirectoryError) -> T) throws(DirectoryError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try checkOut(deadline: deadline)
            do {
                let value = try body(connection)
                checkIn(connection)
                return value
            } catch {
                if error.code == .unavailable || error.code == .timedOut {
                    discard()
                    if attempt < 2 && ContinuousClock.now < deadline { continue }
                } else {
                    checkIn(connection)
                }
                throw error
            }
        }
    }

    /// The connections open now (idle or lent), for tests and metrics.
    var openCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return open
    }

    private func checkOut(deadline: ContinuousClock.Instant) throws(DirectoryError) -> LDAPConnection {
        condition.lock()
        while idle.isEmpty && open >= settings.poolSize {
            let remaining = deadline - ContinuousClock.now
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            if seconds <= 0 || !condition.wait(until: Date().addingTimeInterval(seconds)) {
                if idle.isEmpty && open >= settings.poolSize {
                    condition.unlock()
                    throw DirectoryError(.poolExhausted, "all \(settings.poolSize) directory connections stayed busy")
                }
            }
        }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        open += 1
        condition.unlock()
        do {
            return try connect(deadline: deadline)
        } catch {
            discard()
            throw error
        }
    }

    private func checkIn(_ connection: LDAPConnection) {
        condition.lock()
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }

    private func discard() {
        condition.lock()
        open -= 1
        condition.signal()
        condition.unlock()
    }

    /// A new connection to the first server that answers, readied by `prepare`.
    private func connect(deadline: ContinuousClock.Instant) throws(DirectoryError) -> LDAPConnection {
        let uris = settings.order == .random ? settings.uris.shuffled() : settings.uris
        var last = DirectoryError(.unavailable, "no directory server configured")
        for uri in uris {
            guard ContinuousClock.now < deadline else { throw DirectoryError(.timedOut, "no directory server answered in time; last: \(last.message)") }
            do {
                let connection = try LDAPConnection.open(uri, settings: settings)
                try prepare(connection)
                return connection
            } catch {
                guard error.code == .unavailable || error.code == .tlsFailed || error.code == .timedOut else { throw error }
                last = error
            }
        }
        throw last
    }
}
