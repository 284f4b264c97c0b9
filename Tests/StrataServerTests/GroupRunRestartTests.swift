import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAPI
import StrataCatalog
import Testing
@testable import StrataServer

/// A group run the server stopped in the middle: at the next start its items are settled from their commands, those
/// never started are `interrupted`, and items whose commands were still under way follow them when the run is read.
@Suite struct GroupRunRestartTests {
    @Test func anInterruptedRunsItemsFollowTheirCommandsInsteadOfStayingRunning() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { client in
            let (agent, servers) = try await ControlGroupTests.setUp(client, count: 4)
            var commands: [String] = []
            for index in 0..<3 {
                let body = #"{"resource": "\#(servers["nginx-\(index)"] ?? "")", "action": "reload"}"#
                let created = try await post(client, "/api/v1/control/commands", body, ServerHarness.adminBasic)
                commands.append(try #require((created.data as? [String: Any])?["id"] as? String, "\(String(buffer: created.body))"))
            }
            #expect(try await ControlFlowTests.poll(client, agent).count == 3)
            #expect(try await ControlFlowTests.report(client, agent, commands[0], #"{"state": "succeeded", "exitStatus": 0}"#).status == .ok)
            #expect(try await ControlFlowTests.report(client, agent, commands[1], #"{"state": "failed", "exitStatus": 1}"#).status == .ok)
            #expect(try await ControlFlowTests.report(client, agent, commands[2], #"{"state": "running"}"#).status == .ok)
            // What a server stopped mid-run left: three commands in flight, one resource not started.
            let items = (0..<4).map { index in
                API.GroupRunItem(resourceId: servers["nginx-\(index)"] ?? "", resourceName: "nginx-\(index)", state: index < 3 ? "running" : "pending",
                                 commandId: index < 3 ? commands[index] : nil)
            }
            let run = API.GroupRun(id: "run-left-over", target: API.ControlTarget(kind: "server"), action: "reload", parameters: [:], concurrency: 3,
                                   stopOnFailure: false, requestedBy: "admin", createdMs: 1, updatedMs: 1, state: "running",
                                   summary: ["total": 4, "running": 3, "pending": 1], items: items)
            let json = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
            try await server.catalog.saveGroupRun(StoredBody(tenantID: defaultTenant, id: run.id, bodyJSON: json), createdMs: 1, running: true)

            await server.groupRuns.interruptLeftovers()
            var read = try await ControlGroupTests.run(client, run.id)
            #expect(read["state"] as? String == "interrupted")
            #expect((read["items"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["succeeded", "failed", "running", "interrupted"])
            #expect(read["summary"] as? [String: Int] == ["total": 4, "succeeded": 1, "failed": 1, "running": 1, "interrupted": 1])

            #expect(try await ControlFlowTests.report(client, agent, commands[2], #"{"state": "succeeded", "exitStatus": 0}"#).status == .ok)
            read = try await ControlGroupTests.run(client, run.id)
            #expect((read["items"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["succeeded", "failed", "succeeded", "interrupted"])
            #expect(read["summary"] as? [String: Int] == ["total": 4, "succeeded": 2, "failed": 1, "interrupted": 1])
            let stored = try #require(try await server.catalog.groupRun(tenantID: defaultTenant, id: run.id))
            #expect(stored.bodyJSON.contains(#""state":"succeeded""#) && !stored.bodyJSON.contains(#""state":"running""#), "settled for good")
        }
    }
}
