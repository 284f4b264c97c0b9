import Crypto
import StrataCore
import Testing
@testable import StrataControl

@Suite struct ControlCoreTests {
    @Test func sha256AndHMACMatchSwiftCryptoAndTheFIPSVectors() {
        #expect(Hex.encode(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var random = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1_000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let key = (0..<(length % 100)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(Digest.sha256(message) == Array(Crypto.SHA256.hash(data: message)))
            #expect(Digest.hmacSHA256(key: key, message) == Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))))
        }
    }

    static func command(parameters: [(name: String, value: String)] = [("name", "before-upgrade")]) -> ControlCommand {
        ControlCommand(id: "c1", agentID: "agent-a", resourceKind: .vm, resourceKey: "vm:aaaa", action: "snapshot-create",
                       parameters: parameters, issuedMs: 1_000, deadlineMs: 61_000)
    }

    @Test func aSignatureCoversEveryFieldAndOnlyTheRightKeyVerifiesIt() {
        let key = ControlCommand.key(credential: "sac_secret")
        let signed = Self.command()
        let signature = signed.signature(key: key)
        #expect(signed.verify(signature, key: key))
        #expect(!signed.verify(signature, key: ControlCommand.key(credential: "sac_other")))
        var changed = [Self.command(parameters: [("name", "before-upgrade2")])]
        for edit in 0..<5 {
            var copy = signed
            switch edit {
            case 0: copy.id = "c2"
            case 1: copy.agentID = "agent-b"
            case 2: copy.resourceKey = "vm:bbbb"
            case 3: copy.action = "snapshot-delete"
            default: copy.deadlineMs += 1
            }
            changed.append(copy)
        }
        for copy in changed { #expect(!copy.verify(signature, key: key)) }
    }

    @Test func injectionAttemptsAndOutOfRangeParametersAreRefusedNamingTheParameter() throws {
        let script = try ActionCatalog.action("run-script", kind: .platform)
        for name in ["../../bin/sh", "a;rm -rf /", "$(id)", "`id`", "-rf", ".hidden", "a b", "x\ny", ""] {
            #expect(throws: ControlError.self) { try script.check(["script": name]) }
        }
        #expect(throws: ControlError.badParameter("args", "must be at most 4096 bytes without control characters (newlines included)")) {
            try script.check(["script": "cleanup.sh", "args": "a\nrm -rf /"])
        }
        #expect(try script.check(["script": "cleanup.sh", "args": "--days 7; echo $(id)"]).map(\.value) == ["--days 7; echo $(id)", "cleanup.sh"],
                "text arguments are kept as written: they are passed as arguments, never to a shell")
        let renice = try ActionCatalog.action("renice", kind: .server)
        #expect(throws: ControlError.self) { try renice.check(["priority": "20"]) }
        #expect(throws: ControlError.self) { try renice.check(["priority": "1e3"]) }
        #expect(throws: ControlError.missingParameter("priority")) { try renice.check([:]) }
        #expect(throws: ControlError.self) { try renice.check(["priority": "5", "user": "root"]) }
        #expect(try renice.check(["priority": "+05"]).first?.value == "5")
        #expect(throws: ControlError.self) { try ActionCatalog.action("format-disk", kind: .server) }
        #expect(ActionCatalog.actions(kind: .service).isEmpty)
    }

    @Test func reportsOnlyMoveACommandForward() {
        #expect(CommandState.queued.allows(.delivered) && CommandState.delivered.allows(.accepted) && CommandState.accepted.allows(.running))
        #expect(CommandState.running.allows(.succeeded) && CommandState.running.allows(.interrupted) && CommandState.delivered.allows(.refused))
        #expect(!CommandState.running.allows(.accepted) && !CommandState.succeeded.allows(.failed) && CommandState.succeeded.allows(.succeeded))
        #expect(!CommandState.delivered.allows(.expired), "only the server expires a command")
        #expect(CommandState.expired.allows(.running) && CommandState.expired.allows(.succeeded) && !CommandState.expired.allows(.queued),
                "an agent that started it by its own clock is believed")
        #expect(CommandState.allCases.filter(\.isFinal) == [.succeeded, .failed, .refused, .interrupted, .expired, .canceled])
    }
}
