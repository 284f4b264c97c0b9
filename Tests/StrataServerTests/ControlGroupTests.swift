import Foundation
import Hummingbird
import HummingbirdTesting
import StrataControl
import StrataCore
import StrataTSDB
import StrataWire
import Testing
@testable import StrataServer

/// Group actions and schedules through a real server, the test playing the agent: a run across every nginx keeps
/// its concurrency, stops at the first failure when asked and sums up; schedules validate their fields, list their
/// next runs in their time zone, and start a group run when due.
@Suite struct ControlGroupTests {
    /// The default agent's platform with `count` nginx servers; their ids by name.
    static func setUp(_ client: any TestClientProtocol, count: Int) async throws -> (agent: HTTPFields, servers: [String: String]) {
        let agent = try await ServerHarness.defaultAgentHeaders(client)
        var resources = [ResourceReport(kind: .platform, key: "machine-id:m1", name: "host-m1")]
        for index in 0..<count {
            resources.append(ResourceReport(kind: .server, key: "nginx:\(8000 + index)", name: "nginx-\(index)", parentIndex: 0,
                                            properties: .map([("type", .string("nginx"))])))
        }
        let batch = AgentBatch(agentID: "agent-a", sequence: 1, createdAtMs: WallClock.nowMs(), intervalMs: 1_000, agentVersion: "test",
                               resources: resources, series: [])
        #expect(try await upload(client, BatchCodec.encode(batch)).status == .ok)
        let listed = try await client.execute(uri: "/api/v1/resources?kind=server", method: .get, headers: ServerHarness.adminBasic)
        let servers = (listed.data as? [[String: Any]] ?? []).reduce(into: [String: String]()) { $0[$1["name"] as? String ?? ""] = $1["id"] as? String }
        return (agent, servers)
    }

    static func run(_ client: any TestClientProtocol, _ id: String) async throws -> [String: Any] {
        let response = try await client.execute(uri: "/api/v1/control/group-runs/\(id)", method: .get, headers: ServerHarness.adminBasic)
        return response.data as? [String: Any] ?? [:]
    }

    @Test func aGroupRunKeepsItsConcurrencyStopsAtTheFirstFailureAndSumsUp() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (agent, servers) = try await Self.setUp(client, count: 6)
            let body = #"{"target": {"kind": "server", "serverType": "nginx"}, "action": "renice", "parameters": {"priority": "5"}, "concurrency": 2, "stopOnFailure": true}"#
            let dryBody = #"{"target": {"kind": "server", "serverType": "nginx"}, "action": "renice", "parameters": {"priority": "5"}, "dryRun": true}"#
            let dry = try await post(client, "/api/v1/control/group-runs", dryBody, ServerHarness.adminBasic)
            #expect((dry.data as? [String: Any])?["state"] as? String == "dry-run")
            #expect(((dry.data as? [String: Any])?["summary"] as? [String: Int])?["would-run"] == 6)
            #expect(try await ControlFlowTests.poll(client, agent).isEmpty, "a dry run queues nothing")

            let created = try await post(client, "/api/v1/control/group-runs", body, ServerHarness.adminBasic)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let runID = try #require((created.data as? [String: Any])?["id"] as? String)
            #expect(((created.data as? [String: Any])?["items"] as? [[String: Any]])?.count == 6)
            // Two in flight: the agent gets two commands; the first succeeds, the next one fails.
            var handed: [String] = []
            try await waitFor("two commands handed out") {
                handed += try await ControlFlowTests.poll(client, agent).compactMap { $0["id"] as? String }
                return handed.count >= 2
            }
            #expect(handed.count == 2, "never more than the concurrency in flight: \(handed)")
            #expect(try await ControlFlowTests.report(client, agent, handed[0], #"{"state": "succeeded", "exitStatus": 0}"#).status == .ok)
            var third: [String] = []
            try await waitFor("a third command once one ended") {
                third += try await ControlFlowTests.poll(client, agent).compactMap { $0["id"] as? String }.filter { !handed.contains($0) }
                return !third.isEmpty
            }
            #expect(try await ControlFlowTests.report(client, agent, handed[1], #"{"state": "failed", "exitStatus": 1, "message": "no such process"}"#).status == .ok)
            #expect(try await ControlFlowTests.report(client, agent, third[0], #"{"state": "succeeded", "exitStatus": 0}"#).status == .ok)
            var run: [String: Any] = [:]
            try await waitFor("the run to stop") {
                run = try await Self.run(client, runID)
                return run["state"] as? String == "stopped"
            }
            let summary = run["summary"] as? [String: Int] ?? [:]
            #expect(summary == ["total": 6, "succeeded": 2, "failed": 1, "skipped": 3], "\(summary)")
            let items = run["items"] as? [[String: Any]] ?? []
            #expect(items.first { $0["state"] as? String == "failed" }?["message"] as? String == "no such process")
            #expect(Set(items.compactMap { $0["resourceId"] as? String }) == Set(servers.values))
            #expect(try await ControlFlowTests.poll(client, agent).isEmpty, "nothing started after the failure")
            let audit = try await client.execute(uri: "/api/v1/audit?limit=100", method: .get, headers: ServerHarness.adminBasic)
            let actions = ((audit.data as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("control.group-run") && actions.filter { $0 == "control.request" }.count == 3, "\(actions)")
        }
    }

    /// Defect: control needed the role's permission, so a viewer with an operator grant on a group could not restart
    /// the servers the grant covers; the grant now counts for that resource and no other, and a denial is audited.
    @Test func aGrantOnAGroupGivesControlOfItsResourcesOnly() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (_, servers) = try await Self.setUp(client, count: 2)
            let (inside, outside) = (try #require(servers["nginx-0"]), try #require(servers["nginx-1"]))
            let user = try await post(client, "/api/v1/users", #"{"username":"ana","password":"ana-password-1","role":"viewer"}"#, ServerHarness.adminBasic)
            let userID = try #require((user.data as? [String: Any])?["id"] as? Int)
            let group = try await post(client, "/api/v1/groups", #"{"name": "web", "members": ["\#(inside)"]}"#, ServerHarness.adminBasic)
            let groupID = try #require((group.data as? [String: Any])?["id"] as? String)
            #expect(try await post(client, "/api/v1/users/\(userID)/grants/\(groupID)", #"{"role":"operator"}"#, ServerHarness.adminBasic, method: .put).status == .ok)
            let ana = basic("ana", "ana-password-1")
            let granted = try await post(client, "/api/v1/control/commands", #"{"resource": "\#(inside)", "action": "reload"}"#, ana)
            #expect(granted.status == .created, "\(String(buffer: granted.body))")
            let refused = try await post(client, "/api/v1/control/commands", #"{"resource": "\#(outside)", "action": "reload"}"#, ana)
            #expect(refused.status == .forbidden)
            let audit = try await client.execute(uri: "/api/v1/audit?limit=100", method: .get, headers: ServerHarness.adminBasic)
            let denied = ((audit.data as? [[String: Any]]) ?? []).filter { $0["action"] as? String == "control.request" && $0["outcome"] as? String == "denied" }
            #expect(denied.compactMap { $0["target"] as? String } == ["resource:\(outside)"])
        }
    }

    /// Defect: the list carried every item of every run (10,000 each at most); it now sums each run up.
    @Test func theListSumsRunsUpAndOnlyOneRunShowsItsItems() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await Self.setUp(client, count: 3)
            let body = #"{"target": {"kind": "server", "serverType": "nginx"}, "action": "reload"}"#
            let created = try await post(client, "/api/v1/control/group-runs", body, ServerHarness.adminBasic)
            let runID = try #require((created.data as? [String: Any])?["id"] as? String)
            let listed = try await client.execute(uri: "/api/v1/control/group-runs", method: .get, headers: ServerHarness.adminBasic)
            let runs = listed.data as? [[String: Any]] ?? []
            #expect(runs.count == 1 && runs.first?["id"] as? String == runID)
            #expect(runs.first?["items"] == nil, "no items in the list")
            #expect((runs.first?["summary"] as? [String: Int])?["total"] == 3)
            #expect(((try await Self.run(client, runID))["items"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func badTargetsAndStrangersAreRefused() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await Self.setUp(client, count: 1)
            let cases = [#"{"target": {}, "action": "reload"}"#: "target needs",
                         #"{"target": {"kind": "toaster"}, "action": "reload"}"#: "unknown kind",
                         #"{"target": {"resource": "x", "kind": "server"}, "action": "reload"}"#: "resource names one resource",
                         #"{"target": {"kind": "server"}, "action": "reload", "concurrency": 0}"#: "concurrency",
                         #"{"target": {"kind": "platform", "serverType": "nginx"}, "action": "reload"}"#: "serverType needs kind server",
                         #"{"target": {"group": "nope"}, "action": "reload"}"#: "no group"]
            for (body, message) in cases {
                let response = try await post(client, "/api/v1/control/group-runs", body, ServerHarness.adminBasic)
                #expect(response.status == .badRequest || response.status == .notFound, "\(body)")
                #expect(String(buffer: response.body).contains(message), "\(body): \(String(buffer: response.body))")
            }
        }
    }

    @Test func aScheduleIsValidatedListsItsNextRunsInItsZoneAndStartsAGroupRunWhenDue() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { client in
            let (agent, servers) = try await Self.setUp(client, count: 2)
            let target = try #require(servers["nginx-0"])
            let refused = [#"{"name": "n", "cron": "61 * * * *", "target": {"resource": "\#(target)"}, "action": "reload"}"#: "minute",
                           #"{"name": "n", "cron": "0 3 * * *", "timezone": "Mars/Olympus", "target": {"resource": "\#(target)"}, "action": "reload"}"#: "timezone",
                           #"{"name": "n", "cron": "0 3 * * *", "target": {"resource": "\#(target)"}, "action": "renice", "parameters": {"priority": "99"}}"#: "priority",
                           #"{"name": "n", "cron": "0 3 * * *", "target": {"resource": "\#(target)"}, "action": "explode"}"#: "explode"]
            for (body, message) in refused {
                let response = try await post(client, "/api/v1/control/schedules", body, ServerHarness.adminBasic)
                #expect(response.status == .badRequest, "\(body)")
                #expect(String(buffer: response.body).contains(message), "\(body): \(String(buffer: response.body))")
            }
            let body = #"{"name": "nightly", "cron": "30 2 * * *", "timezone": "America/New_York", "target": {"kind": "server", "serverType": "nginx"}, "action": "reload"}"#
            let created = try await post(client, "/api/v1/control/schedules", body, ServerHarness.adminBasic)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let schedule = try #require(created.data as? [String: Any])
            let id = try #require(schedule["id"] as? String)
            let next = schedule["nextRuns"] as? [Int64] ?? []
            #expect(next.count == 5)
            let zone = TimeZone(identifier: "America/New_York")!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for run in next {
                let parts = calendar.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: Double(run) / 1_000))
                // 02:30 local, or 03:00 on the night clocks skip 02:30.
                #expect((parts.hour == 2 && parts.minute == 30) || (parts.hour == 3 && parts.minute == 0), "\(parts)")
            }
            #expect(try await post(client, "/api/v1/control/schedules", body, ServerHarness.adminBasic).status == .conflict, "names are unique")

            // Due: a group run over both nginx servers, requested by the schedule.
            let nextDue = await server.schedules.fireDue(now: next[0])
            #expect(nextDue == next[1])
            var commands: [[String: Any]] = []
            try await waitFor("the scheduled commands") {
                commands += try await ControlFlowTests.poll(client, agent)
                return commands.count == 2
            }
            let stored = try await client.execute(uri: "/api/v1/control/commands", method: .get, headers: ServerHarness.adminBasic)
            #expect(((stored.data as? [[String: Any]]) ?? []).allSatisfy { $0["requestedBy"] as? String == "schedule:nightly" })
            let listed = try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic)
            #expect((listed.data as? [String: Any])?["lastRunId"] as? String != nil)
            #expect(try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .delete, headers: ServerHarness.adminBasic).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic).status == .notFound)
        }
    }
}

/// Polls `condition` every 50 ms for up to 20 s.
func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<400 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)")
}
