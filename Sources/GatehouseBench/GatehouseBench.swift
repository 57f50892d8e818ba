import ArgumentParser

/// `gatehouse-bench`: the measuring half of `make bench` (see scripts/bench). A separate
/// executable so nothing here is shipped in `gatehouse`.
@main
struct GatehouseBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse-bench",
        abstract: "Measure Gatehouse: ID-token verification throughput, complete sign-ins, and a session for forward-auth.",
        subcommands: [VerifyCommand.self, SignInsCommand.self, SessionCommand.self, SeedUsersCommand.self, SeedIdentitiesCommand.self]
    )
}
