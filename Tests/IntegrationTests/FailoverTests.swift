import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// VM failover end to end (issue 20's acceptance): two private libvirtd daemons serving the test driver (hosts A
/// and B), an agent for each host (its own machine-id, data directory and hypervisor URI), a real server. Host A's
/// libvirtd is killed: after the group's grace period its restartable VM is defined and started on B by B's agent,
/// exactly once, with one chain of `failover` events; the VM keeps its resource id and its placements show A, then B.
/// Host A then comes back still running its copy: reported on the chain once, started nowhere again.
@Suite(.serialized) struct FailoverTests {
    /// An agent for one simulated host: a host root with its own machine-id (and the real /proc), collecting `uri`.
    static func startAgent(_ bed: Testbed, name: String, machineID: String, uri: String) throws -> StrataProcess {
        let root = bed.directory + "/root-" + name
        let data = bed.directory + "/agent-" + name
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try "\(machineID)\n".write(toFile: root + "/etc/machine-id", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/proc", withDestinationPath: "/proc")
        try WebStack.write("libvirt.uris = \(uri)\n", to: data + "/plugins.conf")
        chmod(data + "/plugins.conf", 0o600)
        return try StrataProcess(["agent", "--server", bed.url, "--data", data, "--interval", "1s"],
                                 environment: ["STRATA_AGENT_TOKEN": bed.agentToken, "STRATA_HOST_ROOT": root], logPath: bed.directory + "/agent-\(name).log")
    }

    /// Sends `method path` with a JSON body as admin; the envelope's data.
    @discardableResult
    static func send(_ bed: Testbed, _ method: String, _ path: String, _ body: [String: Any]) throws -> [String: Any] {
        let credentials = Data("admin:\(Testbed.password)".utf8).base64EncodedString()
        let response = try HTTPClient(baseURL: bed.url).send(method: method, path: path, headers: [
            ("Authorization", "Basic \(credentials)"), ("Content-Type", "application/json"),
        ], body: Array(try JSONSerialization.data(withJSONObject: body)))
        guard let envelope = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              envelope["status"] as? String == "success", let data = envelope["data"] as? [String: Any] else {
            throw HarnessError.api("\(method) \(path) answered \(response.status): \(response.text.prefix(300))")
        }
        return data
    }

    @Test func aRestartableVMOfAHostWhoseHypervisorDiedIsStartedOnTheOtherHostOnceWithOneEventChain() throws {
        let bed = try Testbed("failover")
        let hostA = try LibvirtdMigrationTests.Host(bed, name: "a")
        defer { hostA.stop() }
        let hostB = try LibvirtdMigrationTests.Host(bed, name: "b")
        defer { hostB.stop() }
        let web = LibvirtdMigrationTests.web
        try hostA.connection.define(xml: try LibvirtdMigrationTests.domainXML("crm-web", fixture: "host-a.xml"))
        try hostA.connection.start(web)
        let server = try bed.startServer()
        defer { server.terminate() }
        let agentA = try Self.startAgent(bed, name: "a", machineID: "aaaa0000aaaa0000aaaa0000aaaa0001", uri: hostA.uri)
        defer { agentA.terminate() }
        let agentB = try Self.startAgent(bed, name: "b", machineID: "bbbb0000bbbb0000bbbb0000bbbb0002", uri: hostB.uri)
        defer { agentB.terminate() }

        func hypervisor(_ host: LibvirtdMigrationTests.Host) throws -> [String: Any]? {
            try HypervisorTests.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.hasSuffix("/libvirt:" + host.uri) == true }
        }
        func vm() throws -> [String: Any]? { try HypervisorTests.named(bed, "vm", "crm-web") }
        try waitUntil("crm-web up below host A's hypervisor, host B's hypervisor up", timeout: 90) {
            try hypervisor(hostB)?["availability"] as? String == "up" && vm()?["availability"] as? String == "up"
                && vm()?["parentId"] as? String == hypervisor(hostA)?["id"] as? String
        }
        let idA = try #require(try hypervisor(hostA)?["id"] as? String)
        let idB = try #require(try hypervisor(hostB)?["id"] as? String)
        let vmID = try #require(try vm()?["id"] as? String)

        // The failover group: both hypervisors and the VM; its disk is below the shared prefix; a 3 s grace period.
        let group = try Self.send(bed, "POST", "/api/v1/groups", ["name": "failover-\(bed.port)", "members": [idA, idB, vmID]])
        let groupID = try #require(group["id"] as? String)
        let settings = try Self.send(bed, "PUT", "/api/v1/groups/\(groupID)/failover",
                                     ["enabled": true, "gracePeriod": "3s", "sharedStorage": ["/var/lib/img"], "fencing": "hypervisor"])
        #expect(settings["sharedStorage"] as? [String] == ["/var/lib/img/"] && settings["gracePeriod"] as? String == "3s")

        hostA.stop()
        try waitUntil("crm-web running below host B's hypervisor", timeout: 90) {
            try vm()?["parentId"] as? String == idB && vm()?["availability"] as? String == "up"
        }
        // Exactly once: wait beyond another grace period (and several evaluations and collections), then count.
        Thread.sleep(forTimeInterval: 8)
        let commands = (try bed.get("/api/v1/control/commands?resource=\(idB)") as? [[String: Any]] ?? []).filter { $0["action"] as? String == "failover-start" }
        #expect(commands.count == 1, "\(commands)")
        #expect(commands.first?["state"] as? String == "succeeded" && commands.first?["requestedBy"] as? String == "failover")
        #expect(try hostB.connection.domains().filter { $0.uuid == web && $0.info.state == 1 }.count == 1, "B runs it")

        let moved = try #require(try vm())
        #expect(moved["id"] as? String == vmID, "the same resource")
        let placements = (try bed.get("/api/v1/placements?vm=\(vmID)") as? [[String: Any]] ?? []).map { $0["hypervisorId"] as? String }
        #expect(placements == [idA, idB], "A, then B")

        let chain = try HypervisorTests.events(bed, vmID, kind: "failover").compactMap { $0["message"] as? String }
        let decisions = try bed.get("/api/v1/failover") as? [[String: Any]] ?? []
        let decision = try #require(decisions.first { $0["vmId"] as? String == vmID })
        #expect(decision["state"] as? String == "started" && decision["targetId"] as? String == idB && decision["fromHypervisorId"] as? String == idA)
        let chainID = try #require(decision["id"] as? String)
        #expect(chain.allSatisfy { $0.hasPrefix("failover \(chainID) of vm crm-web:") }, "one chain: \(chain)")
        for step in ["considered", "fenced", "target chosen", "start requested", "started on"] {
            #expect(chain.filter { $0.contains(": \(step)") }.count == 1, "\(step) once in \(chain)")
        }
        #expect(try HypervisorTests.events(bed, vmID, kind: "relocated").count == 1)

        // Host A comes back still running its copy: reported once on the chain, never started a second time.
        try? FileManager.default.removeItem(atPath: bed.directory + "/libvirtd-a/libvirt-sock")
        let hostAgain = try LibvirtdMigrationTests.Host(bed, name: "a")
        defer { hostAgain.stop() }
        try hostAgain.connection.define(xml: try LibvirtdMigrationTests.domainXML("crm-web", fixture: "host-a.xml"))
        try hostAgain.connection.start(web)
        try waitUntil("the copy on host A reported on the chain", timeout: 120) {
            try HypervisorTests.events(bed, vmID, kind: "failover").contains { ($0["message"] as? String)?.contains("runs again on its old host") == true }
        }
        Thread.sleep(forTimeInterval: 4)
        let after = try HypervisorTests.events(bed, vmID, kind: "failover").compactMap { $0["message"] as? String }
        #expect(after.filter { $0.contains("runs again on its old host") }.count == 1, "\(after)")
        #expect(after.allSatisfy { $0.hasPrefix("failover \(chainID) ") }, "still one chain: \(after)")
        let startsAfter = (try bed.get("/api/v1/control/commands?resource=\(idB)") as? [[String: Any]] ?? []).filter { $0["action"] as? String == "failover-start" }
        let onA = try bed.get("/api/v1/control/commands?resource=\(idA)") as? [[String: Any]] ?? []
        #expect(startsAfter.count == 1 && onA.isEmpty, "one start, none on A: \(startsAfter) \(onA)")
        #expect(try vm()?["parentId"] as? String == idB, "the VM stays with B")
    }
}
