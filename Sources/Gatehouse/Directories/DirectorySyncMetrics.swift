/// Each directory's synchronisations in `/metrics` (Prometheus text): runs by how they ended,
/// and the last run's duration, entries read, users deactivated, and whether a brake stopped it.
enum DirectorySyncMetrics {
    static func render(_ syncs: [DirectorySync]) -> String {
        guard !syncs.isEmpty else { return "" }
        let ordered = syncs.sorted { $0.source.config.slug < $1.source.config.slug }
        var runs = "# HELP gatehouse_directory_sync_runs_total Directory synchronisations by directory and result.\n"
            + "# TYPE gatehouse_directory_sync_runs_total counter\n"
        var duration = "# HELP gatehouse_directory_sync_last_duration_seconds The last synchronisation's wall time.\n"
            + "# TYPE gatehouse_directory_sync_last_duration_seconds gauge\n"
        var entries = "# HELP gatehouse_directory_sync_last_entries Entries the last synchronisation read.\n"
            + "# TYPE gatehouse_directory_sync_last_entries gauge\n"
        var deactivated = "# HELP gatehouse_directory_sync_last_deactivated Users the last synchronisation deactivated.\n"
            + "# TYPE gatehouse_directory_sync_last_deactivated gauge\n"
        var stopped = "# HELP gatehouse_directory_sync_last_stopped 1 when a brake stopped the last synchronisation.\n"
            + "# TYPE gatehouse_directory_sync_last_stopped gauge\n"
        for sync in ordered {
            let label = "directory=\"\(sync.source.config.slug)\""
            let outcomes = sync.outcomes
            for outcome in DirectorySync.Outcome.allCases {
                runs += "gatehouse_directory_sync_runs_total{\(label),result=\"\(outcome.rawValue)\"} \(outcomes[outcome] ?? 0)\n"
            }
            guard let last = sync.last else { continue }
            duration += "gatehouse_directory_sync_last_duration_seconds{\(label)} \(last.durationSeconds)\n"
            entries += "gatehouse_directory_sync_last_entries{\(label)} \(last.entries)\n"
            deactivated += "gatehouse_directory_sync_last_deactivated{\(label)} \(last.deactivated)\n"
            stopped += "gatehouse_directory_sync_last_stopped{\(label)} \(last.stopped == nil ? 0 : 1)\n"
        }
        return runs + duration + entries + deactivated + stopped
    }
}
