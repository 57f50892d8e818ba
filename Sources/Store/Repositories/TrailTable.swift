/// The two deletions the trail tables share (`audit_log` and `link_decisions`): by age, for
/// retention, and by kind, for the budget of what anyone can cause. Both go in batches found
/// through an index, so no call holds the writer for a whole backlog.
struct TrailTable {
    /// The table's name: a constant of this module, never input.
    let name: String
    let connection: Connection

    /// Deletes the oldest `limit` rows older than `cutoff` (fewer when fewer are left), found
    /// through the `at` index; returns how many.
    func deleteOlder(than cutoff: Int64, limit: Int) throws(StoreError) -> Int {
        try connection.execute(
            "DELETE FROM \(name) WHERE id IN (SELECT id FROM \(name) WHERE at < ? ORDER BY at LIMIT ?)",
            [.integer(cutoff), .integer(Int64(limit))]
        )
        return connection.changes
    }

    /// A budget's counts, as its triggers keep them: the rows stored of each kind (the table
    /// `counts`, with `kindColumn` and `used`), and each kind's share of the cap (the view
    /// `shareView`). Both names are constants of this module, never input.
    func budget(counts: String, kindColumn: String, shareView: String) throws(StoreError) -> (used: [String: Int64], share: Int64) {
        var used: [String: Int64] = [:]
        for row in try connection.query("SELECT \(kindColumn), used FROM \(counts)") {
            used[try row.string(kindColumn)] = try row.int64("used")
        }
        guard let share = try connection.queryOne("SELECT share FROM \(shareView)")?.int64(at: 0) else {
            throw StoreError(code: .notFound, message: "\(shareView) has no row")
        }
        return (used, share)
    }

    /// Deletes, of each kind (`kindColumn`'s value) holding more than `share` rows, the oldest
    /// beyond it, kinds in name order, at most `limit` in all; returns how many.
    func trimBeyondShare(_ used: [String: Int64], share: Int64, kindColumn: String, limit: Int) throws(StoreError) -> Int {
        var removed = 0
        for (kind, count) in used.sorted(by: { $0.key < $1.key }) where count > share {
            let excess = Int(min(Int64(limit - removed), count - share))
            guard excess > 0 else { break }
            try connection.execute(
                "DELETE FROM \(name) WHERE id IN (SELECT id FROM \(name) WHERE \(kindColumn) = ? ORDER BY id LIMIT ?)",
                [.text(kind), .integer(Int64(excess))]
            )
            removed += connection.changes
        }
        return removed
    }
}
