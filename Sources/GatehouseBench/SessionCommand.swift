import ArgumentParser
import TestSupport

/// `gatehouse-bench session`: signs in once through the development provider and prints the
/// session cookie as a `Cookie` header value (`name=value`), for scripts/bench to load
/// `GET /auth/verify` with. The session lives in the bench's throwaway database; printing it is
/// this command's whole purpose, so never point it at a Gatehouse that matters.
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Sign in once through Gatehouse's development provider and print the session cookie (name=value)."
    )

    @Option(name: .long, help: "Gatehouse's origin, e.g. http://127.0.0.1:18091 (its provider `dev` must be the development provider).")
    var gatehouse: String

    @Option(name: .long, help: "Gatehouse's session cookie name.")
    var sessionCookie = "gatehouse_session"

    @Option(name: .long, help: "The subject (and username) to sign in as.")
    var subject = "bench-forward-auth"

    func run() throws {
        let cookie = try SignInDriver(origin: gatehouse, sessionCookie: sessionCookie).signIn(subject: subject)
        print("\(cookie.name)=\(cookie.value)")
    }
}
