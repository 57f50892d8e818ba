import ArgumentParser
import Foundation
import TestSupport

/// `gatehouse-bench signins`: complete sign-ins through Gatehouse's routes against the
/// development provider, each from a fresh "browser" with its own cookies. scripts/bench reads
/// the server's CPU time around this run; the figures printed here are the client's view.
struct SignInsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signins",
        abstract: "Sign in through Gatehouse and its development provider COUNT times, one after another."
    )

    @Option(name: .long, help: "Gatehouse's origin, e.g. http://127.0.0.1:18090 (its provider `dev` must be the development provider).")
    var gatehouse: String

    @Option(name: .long, help: "How many complete sign-ins.")
    var count = 300

    @Option(name: .long, help: "Gatehouse's session cookie name, to check each sign-in really made a session.")
    var sessionCookie = "gatehouse_session"

    func run() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        let driver = SignInDriver(origin: gatehouse, sessionCookie: sessionCookie)
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<count {
            try driver.signIn(subject: "bench-\(index % 50)")
        }
        let seconds = (clock.now - start).inSeconds
        print(String(format: "sign-ins: %d in %.2f s wall, %.1f per second", count, seconds, Double(count) / seconds))
    }
}
