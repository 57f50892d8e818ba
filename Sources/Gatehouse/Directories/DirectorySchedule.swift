import Dispatch
import Foundation

extension GatehouseApp {
    /// Starts each directory's synchronisation every `sync_interval_seconds` (0 turns the
    /// schedule off), on a utility queue of its own so a slow directory delays nothing else.
    /// A run that fails or stops at a brake is logged and audited; the next one tries again.
    func scheduleDirectorySyncs() -> [any DispatchSourceTimer] {
        directorySyncs.values.compactMap { sync in
            let interval = sync.source.config.syncIntervalSeconds
            guard interval > 0 else { return nil }
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "gatehouse.directory-sync.\(sync.source.config.slug)", qos: .utility))
            timer.schedule(deadline: .now() + .seconds(min(interval, 30)), repeating: .seconds(interval), leeway: .seconds(max(1, interval / 20)))
            timer.setEventHandler {
                _ = try? sync.run(dryRun: false, actor: "schedule")
            }
            timer.activate()
            return timer
        }
    }
}
