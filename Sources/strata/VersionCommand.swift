import ArgumentParser
import StrataCore

/// `strata version`: the version of this `strata` binary (the server, the CLI and `strata agent` are one program).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of strata (server, CLI and agent launcher).")

    func run() {
        print(StrataVersion.line(program: "strata"))
    }
}
