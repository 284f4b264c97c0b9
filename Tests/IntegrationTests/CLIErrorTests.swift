import Foundation
import Testing

/// Issue 17: every server error used to exit 64 with the usage text. Now the server's message is printed and
/// the exit code tells usage (64), bad request (65), not found (66), unreachable (69), not allowed (77) and
/// "nothing found" (1) apart.
@Suite(.serialized) struct CLIErrorTests {
    @Test func serverErrorsPrintTheServersMessageWithAnExitCodePerKindAndNoUsageText() throws {
        let bed = try Testbed("cli-errors")
        let server = try bed.startServer()
        defer { server.terminate() }
        let admin = ["STRATA_URL": bed.url, "STRATA_USER": "admin", "STRATA_PASSWORD": Testbed.password, "STRATA_TOKEN": ""]

        let wrongPassword = try runCLI(["resources"], environment: admin.merging(["STRATA_PASSWORD": "wrong"]) { $1 })
        #expect(wrongPassword.status == 77 && wrongPassword.output.contains("unauthorized"), "\(wrongPassword)")
        #expect(!wrongPassword.output.contains("USAGE"), "no usage text for a server's refusal")

        let missing = try runCLI(["resource", "0123456789abcdef"], environment: admin)
        #expect(missing.status == 66 && missing.output.contains("no resource 0123456789abcdef"), "\(missing)")

        let badSelector = try runCLI(["query", "up{job=", "--from", "10m"], environment: admin)
        #expect(badSelector.status == 65 && badSelector.output.contains("bad_data"), "\(badSelector)")

        let nothing = try runCLI(["query", "no_such_metric_anywhere", "--from", "10m"], environment: admin)
        #expect(nothing.status == 1 && nothing.output.contains("no series match no_such_metric_anywhere"), "\(nothing)")

        let mistypedID = try runCLI(["query", "0123456789abcde"], environment: admin)
        #expect(mistypedID.status == 64 && mistypedID.output.contains("is not a series id"), "\(mistypedID)")

        let unreachable = try runCLI(["resources"], environment: admin.merging(["STRATA_URL": "http://127.0.0.1:9"]) { $1 })
        #expect(unreachable.status == 69 && unreachable.output.contains("cannot reach the server"), "\(unreachable)")

        let noPassword = try runCLI(["resources"], environment: ["STRATA_URL": bed.url, "STRATA_USER": "admin", "STRATA_PASSWORD": "", "STRATA_TOKEN": ""])
        #expect(noPassword.status == 77 && noPassword.output.contains("no password for user admin"), "\(noPassword)")

        let both = try runCLI(["resources"], environment: admin.merging(["STRATA_TOKEN": "sat_something"]) { $1 })
        #expect(both.status == 77 && both.output.contains("both STRATA_TOKEN and STRATA_USER"), "a token no longer silently wins: \(both)")

        let bogusKind = try runCLI(["resources", "--kind", "bogus"], environment: admin)
        #expect(bogusKind.status == 64 && bogusKind.output.contains("--kind bogus is not a kind"), "\(bogusKind)")
        let subtree = try runCLI(["events", "--subtree"], environment: admin)
        #expect(subtree.status == 64 && subtree.output.contains("--subtree needs --resource"), "\(subtree)")
        let placement = try runCLI(["placement", "--vm", "0123456789abcdef"], environment: admin)
        #expect(placement.status == 66, "a VM that does not exist is not an empty table: \(placement)")

        let version = try runCLI(["--version"], environment: [:])
        #expect(version.status == 0 && version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }
}

/// Issue 17: a busy port printed NIO's raw `bind(descriptor:ptr:bytes:)` error.
@Suite(.serialized) struct ServerStartMessageTests {
    @Test func aSecondServerOnABusyPortSaysThePortIsInUseAndExitsUnavailable() throws {
        let bed = try Testbed("busy-port")
        let server = try bed.startServer()
        defer { server.terminate() }
        let second = try runCLI(["server", "--listen", "127.0.0.1:\(bed.port)", "--data", bed.directory + "/second"],
                                environment: ["STRATA_ADMIN_PASSWORD": Testbed.password])
        #expect(second.status == 69, "\(second)")
        #expect(second.output.contains("cannot listen on 127.0.0.1:\(bed.port): the port is in use"), "\(second)")
        #expect(!second.output.contains("bind(descriptor"), "no raw NIO error: \(second)")
    }
}

/// Issue 18: a second server on a used data directory started and wrote duplicate blocks; one that failed to bind
/// still replayed its log and wrote its head.
@Suite(.serialized) struct DataDirectoryLockTests {
    @Test func aSecondServerOnAUsedDataDirectoryExitsNamingTheHolderAndTakesOverAfterKillNine() throws {
        let bed = try Testbed("data-lock")
        let first = try bed.startServer()
        let environment = ["STRATA_BOOTSTRAP_ADMIN_PASSWORD": Testbed.password]
        let before = try FileManager.default.subpathsOfDirectory(atPath: bed.directory + "/server/tsdb").sorted()
        let second = try runCLI(["server", "--listen", "127.0.0.1:0", "--data", bed.directory + "/server"], environment: environment)
        #expect(second.status == 73, "\(second)")
        #expect(second.output.contains("\(bed.directory)/server is in use by another strata server (pid \(first.process.processIdentifier))"), "\(second)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: bed.directory + "/server/tsdb").sorted() == before, "the loser wrote nothing")

        first.kill9()
        let again = try bed.startServer()
        defer { again.terminate() }
        #expect(again.isRunning, "a lock left by a killed server is taken over")
    }

    @Test func aServerThatCannotBindNeverOpensItsDataDirectory() throws {
        let bed = try Testbed("bind-first")
        let server = try bed.startServer()
        defer { server.terminate() }
        let loser = try runCLI(["server", "--listen", "127.0.0.1:\(bed.port)", "--data", bed.directory + "/loser"],
                               environment: ["STRATA_BOOTSTRAP_ADMIN_PASSWORD": Testbed.password])
        #expect(loser.status == 69 && loser.output.contains("the port is in use"), "\(loser)")
        #expect(!FileManager.default.fileExists(atPath: bed.directory + "/loser"), "no directory, no log replayed, no block written")
    }
}
