import HTTP
import Synchronization

/// What one client may do in a flow's lifetime, in memory: a token bucket per client block
/// (`ClientBlock`: an IPv4 address, an IPv6 /64) that holds `capacity` and refills at
/// `capacity` per lifetime. Sign-in starts have one (`database.max_sign_in_starts_per_client`),
/// and refused callbacks another of the same size.
///
/// Finding: the stored flows are bounded as a whole (`max_pending_sign_in_flows`), and nothing
/// bounded one client's share, so one client alone could fill the table and hold every other
/// person's sign-in at a 503 for as long as it kept sending; and made-up callbacks each took
/// the provider's executor and the database writer. Now either takes many clients.
///
/// The table of buckets is bounded too: a bucket that has refilled is the same as none and is
/// dropped first; if none has, the least used go, never the heaviest users'. Time is a
/// parameter. State is per process.
final class PerClientBudget: Sendable {
    let capacity: Int
    let lifetimeSeconds: Int64
    let maximumClients: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// In units of 1/`lifetimeSeconds` of a start, so the refill (`capacity` units a second)
    /// is exact integer arithmetic: a start costs `lifetimeSeconds` units, a full bucket holds
    /// `capacity × lifetimeSeconds`.
    private struct Bucket {
        var units: Int64
        var at: Int64
    }

    init(capacity: Int, lifetimeSeconds: Int64, maximumClients: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.lifetimeSeconds = max(1, lifetimeSeconds)
        self.maximumClients = max(1, maximumClients)
    }

    private var fullUnits: Int64 { Int64(capacity) * lifetimeSeconds }

    /// Takes one start for `clientAddress`: nil when it may start, else the seconds until it may.
    func take(clientAddress: String, now: Int64) -> Int64? {
        let key = ClientBlock.key(for: clientAddress)
        return buckets.withLock { buckets -> Int64? in
            var bucket = buckets[key].map { refilled($0, now: now) } ?? Bucket(units: fullUnits, at: now)
            if let wait = secondsUntilAStart(in: bucket) {
                buckets[key] = bucket
                return wait
            }
            bucket.units -= lifetimeSeconds
            if buckets[key] == nil && buckets.count >= maximumClients { makeRoom(in: &buckets, now: now) }
            buckets[key] = bucket
            return nil
        }
    }

    /// The seconds until `clientAddress` has a start again, nil when it has one now; takes none.
    func wait(clientAddress: String, now: Int64) -> Int64? {
        let key = ClientBlock.key(for: clientAddress)
        return buckets.withLock { buckets -> Int64? in
            guard let stored = buckets[key] else { return nil }
            return secondsUntilAStart(in: refilled(stored, now: now))
        }
    }

    /// Nil when `bucket` holds a start; else the whole seconds its refill takes to hold one.
    private func secondsUntilAStart(in bucket: Bucket) -> Int64? {
        guard bucket.units < lifetimeSeconds else { return nil }
        return (lifetimeSeconds - bucket.units + Int64(capacity) - 1) / Int64(capacity)
    }

    /// Returns a start taken for a request that then went on elsewhere (the event loop left it
    /// to the executor, which takes its own), so one start is never charged twice.
    func giveBack(clientAddress: String) {
        let key = ClientBlock.key(for: clientAddress)
        buckets.withLock { buckets in
            guard var bucket = buckets[key] else { return }
            bucket.units = min(fullUnits, bucket.units + lifetimeSeconds)
            buckets[key] = bucket
        }
    }

    /// How many clients have a bucket now (for tests).
    var clientCount: Int { buckets.withLock { $0.count } }

    /// A bucket refills fully within `lifetimeSeconds`, so longer gaps (or a clock jump) count
    /// as that long, which also keeps the product far from overflow.
    private func refilled(_ bucket: Bucket, now: Int64) -> Bucket {
        let elapsed = min(max(0, now &- bucket.at), lifetimeSeconds)
        return Bucket(units: min(fullUnits, bucket.units + elapsed * Int64(capacity)), at: max(bucket.at, now))
    }

    /// Drops every refilled bucket; if none has refilled, the tenth least used at once, so the
    /// next new clients find room without another pass over the table.
    private func makeRoom(in buckets: inout [String: Bucket], now: Int64) {
        let before = buckets.count
        buckets = buckets.filter { refilled($0.value, now: now).units < fullUnits }
        guard buckets.count == before else { return }
        let leastUsed = buckets.map { (key: $0.key, units: refilled($0.value, now: now).units) }
            .sorted { $0.units > $1.units }
            .prefix(max(1, maximumClients / 10))
        for entry in leastUsed { buckets[entry.key] = nil }
    }
}
