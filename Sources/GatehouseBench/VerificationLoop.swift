import Glibc
import OIDC

/// Runs `IDTokenValidator.validate` back to back, the whole per-sign-in verification.
enum VerificationLoop {
    struct Result {
        let count: Int
        /// CPU time this thread spent in the loop. `openssl speed` divides by its user CPU time
        /// (the default, without `-elapsed`), so a busy machine skews neither figure; the loop
        /// makes no system calls worth counting, so user and total CPU time agree here.
        let cpuSeconds: Double
        let wallSeconds: Double
    }

    /// Validates `fixture.token` until `duration` of wall time has passed; any refusal stops the
    /// run with its error.
    static func run(_ fixture: VerificationFixture, for duration: Duration) throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let startCPU = threadCPUSeconds()
        let deadline = start + duration
        var count = 0
        var now = start
        // Reading the clock costs little next to a signature check, but a batch keeps it out of the figure.
        let batch = 32
        while now < deadline {
            for _ in 0..<batch {
                let claims = try IDTokenValidator.validate(
                    compactToken: fixture.token,
                    keys: fixture.keys,
                    settings: fixture.settings,
                    advertisedAlgorithms: fixture.advertisedAlgorithms,
                    expectedNonce: fixture.nonce,
                    now: fixture.now
                )
                guard claims.nonce == fixture.nonce else { throw BenchFailure("the validator returned another token's claims") }
            }
            count += batch
            now = clock.now
        }
        return Result(
            count: count,
            cpuSeconds: threadCPUSeconds() - startCPU,
            wallSeconds: (now - start).inSeconds
        )
    }

    /// The calling thread's CPU time so far.
    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
