import ArgumentParser
import Gatehouse

/// The `--json` flag every administration command shares: the admin API's JSON shapes instead
/// of a text table.
struct OutputOption: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (the admin API's shapes) instead of text.")
    var json = false

    var output: AdminCommands.Output { json ? .json : .text }
}

/// `true` or `false`, for options that set a flag either way.
enum Toggle: String, ExpressibleByArgument, CaseIterable {
    case `true`, `false`

    var value: Bool { self == .true }
}
