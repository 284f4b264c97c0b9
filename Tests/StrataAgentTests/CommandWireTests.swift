import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

@Suite struct CommandWireTests {
    static let credential = "sag_testcredential"

    static func signed(_ id: String = "c1", kind: ResourceKind = .platform, key: String = "machine-id:abc", action: String = "renice-process",
                       parameters: [(name: String, value: String)] = [("pid", "1234"), ("priority", "5")], deadlineMs: Int64 = 4_102_444_800_000,
                       agentID: String = "agent1", credential: String = credential) -> (json: String, command: ControlCommand) {
        let command = ControlCommand(id: id, agentID: agentID, resourceKind: kind, resourceKey: key, action: action, parameters: parameters,
                                     issuedMs: 1_700_000_000_000, deadlineMs: deadlineMs)
        var parametersJSON = "{"
        for (index, parameter) in parameters.enumerated() {
            if index > 0 { parametersJSON += "," }
            JSONText.appendQuoted(parameter.name, to: &parametersJSON)
            parametersJSON += ":"
            JSONText.appendQuoted(parameter.value, to: &parametersJSON)
        }
        parametersJSON += "}"
        var keyJSON = ""
        JSONText.appendQuoted(key, to: &keyJSON)
        let json = """
            {"id":"\(id)","resourceKind":"\(kind.rawValue)","resourceKey":\(keyJSON),"action":"\(action)","parameters":\(parametersJSON),\
            "issuedMs":1700000000000,"deadlineMs":\(deadlineMs),"signature":"\(command.signature(key: ControlCommand.key(credential: credential)))"}
            """
        return (json, command)
    }

    @Test func aFetchAnswerBecomesSignedCommandsAndMalformedEntriesRefusals() throws {
        let good = Self.signed()
        let body = """
            {"commands":[\(good.json),
             {"id":"c2","resourceKind":"planet","resourceKey":"x","action":"a","issuedMs":1,"deadlineMs":2,"signature":"00"},
             {"id":"c3","resourceKind":"vm","resourceKey":"vm:1","action":"start","issuedMs":"soon","deadlineMs":2,"signature":"00"},
             {"id":"c4","resourceKind":"vm","resourceKey":"vm:1","action":"start","parameters":{"n":1},"issuedMs":1,"deadlineMs":2,"signature":"00"},
             {"id":"bad id","resourceKind":"vm"}, {"noid":true}]}
            """
        let commands = try CommandWire.commands(in: Array(body.utf8), agentID: "agent1")
        #expect(commands.map(\.id) == ["c1", "c2", "c3", "c4"], "entries without a usable id cannot be reported and are left out")
        let first = try commands[0].content.get()
        #expect(first.command == good.command)
        #expect(first.command.verify(first.signature, key: ControlCommand.key(credential: Self.credential)))
        #expect(commands[1].content.failure?.description == "unknown resource kind \"planet\"")
        #expect(commands[2].content.failure?.description == "malformed command: issuedMs missing or not a whole number")
        #expect(commands[3].content.failure?.description == "malformed command: parameter n is not a string")
    }

    @Test func theEnvelopeFormAndEmptyListsAreRead() throws {
        #expect(try CommandWire.commands(in: Array(#"{"commands":[]}"#.utf8), agentID: "a").isEmpty)
        #expect(try CommandWire.commands(in: Array(#"{"status":"success","data":{"commands":[]}}"#.utf8), agentID: "a").isEmpty)
        #expect(throws: CommandWire.AnswerError.self) { try CommandWire.commands(in: Array("<html>".utf8), agentID: "a") }
        #expect(throws: CommandWire.AnswerError.self) { try CommandWire.commands(in: Array(#"{"items":[]}"#.utf8), agentID: "a") }
    }

    @Test func reportsLeaveOutAbsentFieldsAndEscapeOutput() throws {
        #expect(CommandReport(.accepted).json == #"{"state":"accepted"}"#)
        let report = CommandReport(.failed, exitStatus: 3, stdout: "a \"quoted\"\nline\u{1}", stderr: "", durationMs: 12, message: "exited with status 3")
        #expect(report.json == #"{"state":"failed","exitStatus":3,"stdout":"a \"quoted\"\nline\u0001","stderr":"","message":"exited with status 3","durationMs":12}"#)
        #expect((try? PropertyValue(json: report.json)) != nil, "valid JSON")
    }

    @Test func outputIsCutAtTheEndOnACharacterBoundaryAndRepaired() {
        #expect(CommandReport.clipped(Array("héllo".utf8), maxBytes: 2) == "h", "é is two bytes: not split")
        #expect(CommandReport.clipped(Array("héllo".utf8), maxBytes: 3) == "hé")
        #expect(CommandReport.clipped([0x61, 0xff, 0x62]) == "a\u{FFFD}b", "invalid UTF-8 repaired")
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
        #expect(CommandReport.clipped(big).utf8.count == 64 << 10)
        #expect(CommandReport.clipped([UInt8](repeating: 0xff, count: 100_000)).utf8.count <= 64 << 10)
    }

    @Test func reportAnswersAreClassified() {
        #expect(ReportAnswer.classify(status: 200, body: "") == .acknowledged)
        #expect(ReportAnswer.classify(status: 409, body: "") == .acknowledged, "the server holds a later state")
        if case .dropped = ReportAnswer.classify(status: 404, body: "") {} else { Issue.record("404 drops") }
        if case .retry = ReportAnswer.classify(status: 503, body: "") {} else { Issue.record("503 retries") }
        if case .retry = ReportAnswer.classify(status: 401, body: "") {} else { Issue.record("401 retries after re-enrollment") }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
