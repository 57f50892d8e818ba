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

    /// Stops every directory's synchronisation for shutdown (`DirectorySync.stop`), waiting up
    /// to `seconds` in all; logs a directory whose run had not ended by then.
    func stopDirectorySyncs(waitingUpTo seconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        for sync in directorySyncs.values {
            let left = deadline - ContinuousClock.now
            let leftSeconds = max(0, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            if !sync.stop(waitingUpTo: leftSeconds) {
                logger.warning("a directory synchronisation was still running at shutdown", metadata: ["directory": "\(sync.source.config.slug)"])
            }
        }
    }
}
