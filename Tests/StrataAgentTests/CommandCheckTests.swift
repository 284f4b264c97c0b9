import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

@Suite struct CommandCheckTests {
    static let nginx = ServerProcess(type: "nginx", pid: 4321, startTicks: 99, declared: [])
    static func lookup(_ kind: ResourceKind, _ key: String) -> ControlTarget? {
        switch (kind, key) {
        case (.platform, "machine-id:abc"): return .platform
        case (.server, "machine-id:abc/nginx:/etc/nginx.conf"): return .server(nginx)
        case (.vm, "vm:6695eb01"): return .vm(uri: "test:///default", uuid: "6695eb01")
        default: return nil
        }
    }

    func check(_ signed: (json: String, command: ControlCommand), signature: String? = nil, credential: String = CommandWireTests.credential,
               nowMs: Int64 = 1_700_000_000_000) -> Result<CheckedCommand, CommandRefusal> {
        let given = signature ?? signed.command.signature(key: ControlCommand.key(credential: CommandWireTests.credential))
        return CommandCheck.check(SignedCommand(command: signed.command, signature: given), credential: credential, nowMs: nowMs, target: Self.lookup)
    }

    @Test func aSignedCommandOnTheAgentsOwnResourcePasses() throws {
        let checked = try check(CommandWireTests.signed()).get()
        #expect(checked.target == .platform)
        #expect(checked.parameters == ["pid": "1234", "priority": "5"])
        let server = try check(CommandWireTests.signed(kind: .server, key: "machine-id:abc/nginx:/etc/nginx.conf", action: "reload", parameters: [])).get()
        #expect(server.target == .server(Self.nginx))
    }

    @Test func eachCheckRefusesWithItsReason() {
        let good = CommandWireTests.signed()
        #expect(check(good, credential: "sag_other").failure?.description.hasPrefix("bad signature") == true)
        #expect(check(good, signature: String(repeating: "0", count: 64)).failure?.description.hasPrefix("bad signature") == true)
        var altered = good
        altered.command.parameters = [("pid", "1"), ("priority", "5")]
        #expect(check(altered, signature: good.command.signature(key: ControlCommand.key(credential: CommandWireTests.credential)))
            .failure?.description.hasPrefix("bad signature") == true, "a parameter changed on the way")
        #expect(check(CommandWireTests.signed(deadlineMs: 1_699_999_999_000)).failure?.description
            == "deadline passed 1000 ms before the agent fetched it; not started")
        #expect(check(CommandWireTests.signed(key: "machine-id:other")).failure?.description
            == "platform machine-id:other is not a resource this agent currently reports")
        #expect(check(CommandWireTests.signed(kind: .server, key: "machine-id:abc/redis:6379", action: "reload", parameters: [])).failure != nil)
        #expect(check(CommandWireTests.signed(action: "format-disk", parameters: [])).failure?.description.hasPrefix("no action \"format-disk\" here") == true)
        #expect(check(CommandWireTests.signed(parameters: [("pid", "12"), ("priority", "-40")])).failure?.description.hasPrefix("parameter priority must be") == true)
        #expect(check(CommandWireTests.signed(kind: .vm, key: "vm:6695eb01", action: "snapshot-create", parameters: [("name", "$(reboot)")]))
            .failure?.description.hasPrefix("parameter name must be") == true)
    }
}
