import ArgumentParser
import Foundation
import JOSE

/// `gatehouse-bench verify`: whole ID-token verifications per second on one thread, the figure
/// scripts/bench sets beside `openssl speed` (which is single-threaded without `-multi` too).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify one realistic ID token over and over for a while; print verifications per second."
    )

    @Option(name: .long, help: "RS256 (RSA 2048) or ES256 (P-256).")
    var algorithm = "RS256"

    @Option(name: .long, help: "How long to measure, after a short warm-up.")
    var seconds: Double = 5

    @Option(name: .long, help: "Start measuring this many seconds after the program started (after the warm-up), to line the measurement up with another program started at the same moment.")
    var startAfter: Double = 0

    func run() throws {
        guard let algorithm = JWSAlgorithm(rawValue: algorithm), algorithm == .rs256 || algorithm == .es256 else {
            throw ValidationError("--algorithm must be RS256 or ES256")
        }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600") }
        guard startAfter >= 0, startAfter <= 600 else { throw ValidationError("--start-after must be between 0 and 600") }
        let started = ContinuousClock.now
        let fixture = try VerificationFixture(algorithm: algorithm)
        // The warm-up also proves the token passes: a benchmark of a refusal would measure nothing useful.
        _ = try VerificationLoop.run(fixture, for: .milliseconds(300))
        // Sleeping costs no CPU time, so the wait does not enter the figure.
        let measurementStart = started + .milliseconds(Int64(startAfter * 1000))
        let remaining = measurementStart - ContinuousClock.now
        if remaining > .zero { Thread.sleep(forTimeInterval: remaining.inSeconds) }
        let result = try VerificationLoop.run(fixture, for: .milliseconds(Int64(seconds * 1000)))
        guard result.cpuSeconds > 0 else { throw BenchFailure("no CPU time was measured") }
        let perSecond = Double(result.count) / result.cpuSeconds
        let summary = String(format: "%d in %.2f s of CPU, %.2f s wall, one thread", result.count, result.cpuSeconds, result.wallSeconds)
        print("\(algorithm.rawValue) ID-token verifications: \(Int(perSecond.rounded())) per second (\(summary))")
    }
}
