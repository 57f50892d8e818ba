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

    /// Shutdown's first step: every directory's run in progress ends before its next write or
    /// entry, and none starts after (`DirectorySync.askToStop`).
    func askDirectorySyncsToStop() {
        directorySyncs.values.forEach { $0.askToStop() }
    }

    /// Shutdown's last step before the database closes: waits up to `seconds` in all for the
    /// runs asked to stop (`DirectorySync.finishStopping`); logs a directory whose run had not
    /// ended by then (its lease is given back all the same).
    func finishStoppingDirectorySyncs(waitingUpTo seconds: Int) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        for sync in directorySyncs.values where !sync.finishStopping(by: deadline) {
            logger.warning("a directory synchronisation was still running at shutdown", metadata: ["directory": "\(sync.source.config.slug)"])
        }
    }
}
