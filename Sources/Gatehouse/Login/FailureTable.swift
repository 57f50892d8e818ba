/// One table of failure counters, bounded in size.
struct FailureTable {
    struct Entry {
        var failures: Int
        var lastFailureAt: Int64
        /// Whether a refusal since the last failure was already recorded.
        var refusalNoted = false
    }

    private var entries: [[UInt8]: Entry] = [:]

    var count: Int { entries.count }

    /// Seconds until `key` may try again; 0 when it may now.
    mutating func wait(for key: [UInt8], policy: LoginThrottlePolicy, now: Int64) -> Int64 {
        guard let entry = entries[key] else { return 0 }
        if isStale(entry, policy: policy, now: now) {
            entries[key] = nil
            return 0
        }
        let until = entry.lastFailureAt &+ policy.delay(afterFailures: entry.failures)
        return max(0, until &- now)
    }

    mutating func recordFailure(_ key: [UInt8], policy: LoginThrottlePolicy, now: Int64) {
        if var entry = entries[key], !isStale(entry, policy: policy, now: now) {
            entry.failures = min(entry.failures + 1, 1_000_000)
            entry.lastFailureAt = max(entry.lastFailureAt, now)
            entry.refusalNoted = false
            entries[key] = entry
            return
        }
        if entries[key] == nil && entries.count >= policy.maximumEntries {
            makeRoom(policy: policy, now: now)
        }
        entries[key] = Entry(failures: 1, lastFailureAt: now)
    }

    /// True for the first refusal of `key` since its last failure, which it marks noted: the
    /// refusals of one escalation are recorded once, not once per refused request of a flood.
    mutating func noteRefusal(_ key: [UInt8]) -> Bool {
        guard var entry = entries[key], !entry.refusalNoted else { return false }
        entry.refusalNoted = true
        entries[key] = entry
        return true
    }

    mutating func remove(_ key: [UInt8]) {
        entries[key] = nil
    }

    /// Drops every stale entry; if none was stale, the tenth with the fewest failures (the
    /// oldest among equals), so a flood of one-off identifiers evicts its own kind and not the
    /// heavily attacked account it means to hide. A tenth at once, so the next new keys find
    /// room without another pass over the table under its lock (review finding: one pass per
    /// new key of a flood).
    private mutating func makeRoom(policy: LoginThrottlePolicy, now: Int64) {
        let before = entries.count
        entries = entries.filter { !isStale($0.value, policy: policy, now: now) }
        guard entries.count == before else { return }
        let victims = entries.sorted { lhs, rhs in
            (lhs.value.failures, lhs.value.lastFailureAt) < (rhs.value.failures, rhs.value.lastFailureAt)
        }.prefix(max(1, policy.maximumEntries / 10))
        for victim in victims { entries[victim.key] = nil }
    }

    /// Forgotten once quiet for the window and no longer blocked.
    private func isStale(_ entry: Entry, policy: LoginThrottlePolicy, now: Int64) -> Bool {
        let quietFor = max(policy.windowSeconds, policy.delay(afterFailures: entry.failures))
        return now &- entry.lastFailureAt >= quietFor
    }
}
