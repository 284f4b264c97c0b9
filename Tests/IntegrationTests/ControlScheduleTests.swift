import Foundation
import Testing

/// Group actions and schedules with a real server and agent, through `strata control`: a script with parameters runs
/// on every platform of a selector and its output comes back; a schedule every minute fires on the minute, requested
/// by the schedule, and not again once deleted.
@Suite struct ControlScheduleTests {
    @Test func aGroupRunAndAScheduleRunAnAllowListedScriptWithItsParameters() throws {
        let bed = try Testbed("control-schedule")
        let server = try bed.startServer()
        defer { server.terminate() }
        let actions = bed.directory + "/agent/actions"
        try FileManager.default.createDirectory(atPath: actions, withIntermediateDirectories: true)
        chmod(actions, 0o700)
        try "#!/bin/sh\necho \"hello $1 and $2\"\n".write(toFile: actions + "/hello.sh", atomically: true, encoding: .utf8)
        chmod(actions + "/hello.sh", 0o700)
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the platform", timeout: 60) { try !bed.platforms().isEmpty }
        let environment = ControlEndToEndTests.environment(bed)

        let group = try runCLI(["control", "group", "run-script", "--kind", "platform", "--param", "script=hello.sh", "--param", "args=x;rm y",
                                "--wait", "--json"], environment: environment)
        #expect(group.status == 0, "\(group.output)")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(group.output.utf8)) as? [String: Any], "\(group.output)")
        #expect(run["state"] as? String == "finished")
        #expect((run["summary"] as? [String: Int])?["succeeded"] == 1)
        let commandID = try #require((run["items"] as? [[String: Any]])?.first?["commandId"] as? String)
        let shown = try runCLI(["control", "show", commandID], environment: environment)
        #expect(shown.output.contains("hello x;rm and y") == true, "each word one literal argument: \(shown.output)")

        let added = try runCLI(["control", "schedules", "add", "every-minute", "* * * * *", "run-script", "--kind", "platform",
                                "--param", "script=hello.sh", "--param", "args=cron job", "--timezone", "Europe/Berlin", "--json"],
                               environment: environment)
        let schedule = try #require(try JSONSerialization.jsonObject(with: Data(added.output.utf8)) as? [String: Any], "\(added.output)")
        let scheduleID = try #require(schedule["id"] as? String)
        let firstRun = try #require((schedule["nextRuns"] as? [Int64])?.first)
        #expect(firstRun % 60_000 == 0, "on the minute")
        var fired: [[String: Any]] = []
        try waitUntil("the schedule's first run", timeout: 90) {
            fired = (try bed.get("/api/v1/control/commands") as? [[String: Any]] ?? []).filter { $0["requestedBy"] as? String == "schedule:every-minute" }
            return fired.contains { $0["state"] as? String == "succeeded" }
        }
        #expect(fired.count == 1)
        #expect((fired.first?["createdMs"] as? Int64 ?? 0) >= firstRun, "not before its time")
        #expect((fired.first?["stdout"] as? String) == "hello cron and job\n")
        let deleted = try runCLI(["control", "schedules", "delete", scheduleID], environment: environment)
        #expect(deleted.status == 0, "\(deleted.output)")
        let listed = try runCLI(["control", "schedules", "--json"], environment: environment)
        #expect((try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [Any])?.isEmpty == true, "\(listed.output)")
    }
}
