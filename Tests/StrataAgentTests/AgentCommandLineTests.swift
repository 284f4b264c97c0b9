import Testing
@testable import StrataAgent

@Test func commandLineTakesFlagsThenEnvironmentThenDefaults() throws {
    let parsed = try AgentCommandLine.parse(["--server", "http://10.0.0.1:7480", "--interval=2s", "--data", "/var/lib/a"],
                                            environment: ["STRATA_AGENT_TOKEN": "sat_x", "STRATA_HOST_ROOT": "/host"])
    guard case let .run(configuration, level) = parsed else { Issue.record("expected run"); return }
    #expect(configuration.serverURL == "http://10.0.0.1:7480")
    #expect(configuration.intervalMs == 2000)
    #expect(configuration.dataDirectory == "/var/lib/a")
    #expect(configuration.token == "sat_x")
    #expect(configuration.hostRoot == "/host")
    #expect(level == "info")
    guard case let .run(defaults, _) = try AgentCommandLine.parse([], environment: ["STRATA_AGENT_TOKEN": "t"]) else { return }
    #expect(defaults.intervalMs == 10_000)
    #expect(defaults.serverURL == "http://127.0.0.1:7480")
}

@Test func commandLineMistakesAreExplained() {
    #expect(throws: AgentCommandLine.UsageError.self) { try AgentCommandLine.parse(["--bogus"], environment: ["STRATA_AGENT_TOKEN": "t"]) }
    #expect(throws: AgentCommandLine.UsageError.self) { try AgentCommandLine.parse(["--interval", "fast"], environment: ["STRATA_AGENT_TOKEN": "t"]) }
    #expect(throws: AgentCommandLine.UsageError.self) { try AgentCommandLine.parse([], environment: [:]) }
    #expect(throws: AgentCommandLine.UsageError.self) { try AgentCommandLine.parse(["--server"], environment: ["STRATA_AGENT_TOKEN": "t"]) }
    if case .help = try? AgentCommandLine.parse(["--help"], environment: [:]) {} else { Issue.record("--help must print usage") }
}
