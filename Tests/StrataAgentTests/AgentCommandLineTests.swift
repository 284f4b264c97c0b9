import Foundation
import Logging
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
    if case .version = try? AgentCommandLine.parse(["--server", "http://x", "--version"], environment: [:]) {} else {
        Issue.record("--version must print the version, with or without a token")
    }
}

/// Issue 17: an enrolled agent refused to start without the enrollment token, and a pasted token's line break
/// gave an enrollment refusal with no reason.
@Test func anEnrolledAgentStartsWithoutItsTokenAndAPastedTokenLosesItsLineBreak() throws {
    let directory = "/tmp/strata-tests/agent-cli-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    #expect(throws: AgentCommandLine.UsageError.self) { try AgentCommandLine.parse(["--data", directory], environment: [:]) }
    try "sag_0123456789\n".write(toFile: directory + "/agent.credential", atomically: true, encoding: .utf8)
    guard case let .run(enrolled, _) = try AgentCommandLine.parse(["--data", directory], environment: [:]) else { Issue.record("expected run"); return }
    #expect(enrolled.token == "", "the credential is enough")
    guard case let .run(pasted, _) = try AgentCommandLine.parse(["--data", directory], environment: ["STRATA_AGENT_TOKEN": " sat_abc\n"]) else { return }
    #expect(pasted.token == "sat_abc")
}

@Test func anAgentWithoutCredentialOrTokenSaysWhatToDoInsteadOfAskingTheServer() throws {
    var enrollment = Enrollment(client: try HTTPClient(baseURL: "http://127.0.0.1:9"), enrollmentToken: "",
                                path: "/tmp/strata-tests/no-such-dir/agent.credential", logger: Logger(label: "test"))
    guard case .failure(let failure) = enrollment.current(agentID: "a", platformKey: "machine-id:m") else { Issue.record("must fail"); return }
    #expect(failure.reason.contains("no enrollment token to get one: start the agent with --token or STRATA_AGENT_TOKEN"), "\(failure.reason)")
}
