import Foundation
import Testing

/// Topology-aware alerting with a real private libvirtd, a real server and two real agents: the host's agent collects
/// the daemon; a second agent plays the guest of the VM `crm-web` (its SMBIOS UUID read through `STRATA_HOST_ROOT`,
/// as no real guest can run here), so the inventory holds host → hypervisor → VM → guest. The daemon dies: one
/// "unreachable" alert is told. The guest's agent dies too: its alert is held beneath the hypervisor's, not told.
/// The daemon comes back: the hypervisor's alert resolves and the guest's, still silent, is released and told once.
@Suite(.serialized) struct AlertingTopologyTests {
    static let crmWebUUID = "aaaaaaaa-0000-4000-8000-000000000001"

    @Test func aGuestsAlertIsHeldBeneathItsUnreachableHypervisorAndReleasedWhenTheHypervisorIsBack() throws {
        let bed = try Testbed("alerting-topology")
        let (hook, hookPort, hookLog) = try AlertingEndToEndTests.startReceiver(bed)
        defer { hook.killTree() }
        try FileManager.default.createDirectory(atPath: bed.directory + "/server/alerts", withIntermediateDirectories: true)
        try """
            definitions:
              - name: hypervisor-unreachable
                scope: {kind: hypervisor}
                condition: {type: availability, problem: unreachable}
                notify: [{type: webhook, url: "http://127.0.0.1:\(hookPort)/hook", secret: hook-secret}]
              - name: agent-silent
                scope: {kind: platform}
                condition: {type: availability, problem: agent-silent}
                notify: [{type: webhook, url: "http://127.0.0.1:\(hookPort)/hook", secret: hook-secret}]
            """.write(toFile: bed.directory + "/server/alerts/topology.yaml", atomically: true, encoding: .utf8)
        let daemonDirectory = bed.directory + "/libvirtd"
        var daemon = try HypervisorTests.startLibvirtd(daemonDirectory)
        defer { daemon.killTree() }
        let server = try bed.startServer()
        defer { server.terminate() }
        let uri = "test+unix://\(HypervisorTests.fixtures)/host-a.xml?socket=\(daemonDirectory)/libvirt-sock"
        try WebStack.write("libvirt.uris = \(uri)\n", to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let hostAgent = try bed.startAgent()
        defer { hostAgent.terminate() }

        // The guest: its own machine-id and the VM's SMBIOS UUID under a root of its own; /proc is the real one.
        let guestRoot = bed.directory + "/guest-root"
        try FileManager.default.createDirectory(atPath: guestRoot + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: guestRoot + "/sys/class/dmi/id", withIntermediateDirectories: true)
        try "0123456789abcdef0123456789abcdef\n".write(toFile: guestRoot + "/etc/machine-id", atomically: true, encoding: .utf8)
        try "\(Self.crmWebUUID)\n".write(toFile: guestRoot + "/sys/class/dmi/id/product_uuid", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: guestRoot + "/proc", withDestinationPath: "/proc")
        let guestAgent = try StrataProcess(["agent", "--server", bed.url, "--data", bed.directory + "/guest-agent", "--interval", "1s"],
                                           environment: ["STRATA_AGENT_TOKEN": bed.agentToken, "STRATA_HOST_ROOT": guestRoot],
                                           logPath: bed.directory + "/guest-agent.log")
        defer { guestAgent.killTree() }

        var hypervisorID = "", guestID = ""
        try waitUntil("host → hypervisor → crm-web → guest in the inventory", timeout: 60) {
            let vm = try HypervisorTests.named(bed, "vm", "crm-web")
            let guest = try bed.platforms().first { $0["parentId"] as? String == vm?["id"] as? String && vm != nil }
            hypervisorID = vm?["parentId"] as? String ?? ""
            guestID = guest?["id"] as? String ?? ""
            return !hypervisorID.isEmpty && !guestID.isEmpty
        }

        daemon.killTree()
        try waitUntil("one unreachable alert told", timeout: 60) {
            Self.told(hookLog).contains { $0["status"] as? String == "firing" && $0["resourceId"] as? String == hypervisorID }
        }
        guestAgent.kill9()
        var guestAlert: [String: Any] = [:]
        try waitUntil("the guest's agent-silent alert firing, held beneath the hypervisor's", timeout: 60) {
            guestAlert = (try bed.get("/api/v1/alerts?state=firing&resource=\(guestID)") as? [[String: Any]])?.first ?? [:]
            return guestAlert["heldBy"] as? String == hypervisorID
        }
        Thread.sleep(forTimeInterval: 2)
        #expect(!Self.told(hookLog).contains { $0["resourceId"] as? String == guestID }, "a held alert is not told on its own")

        daemon = try HypervisorTests.startLibvirtd(daemonDirectory)
        try waitUntil("the hypervisor's alert resolved", timeout: 120) {
            Self.told(hookLog).contains { $0["status"] as? String == "resolved" && $0["resourceId"] as? String == hypervisorID }
        }
        try waitUntil("the guest's alert released and told", timeout: 30) {
            Self.told(hookLog).contains { $0["status"] as? String == "firing" && $0["resourceId"] as? String == guestID }
        }
        Thread.sleep(forTimeInterval: 2)
        let told = Self.told(hookLog)
        #expect(told.filter { $0["resourceId"] as? String == guestID }.count == 1, "\(told)")
        #expect(told.filter { $0["resourceId"] as? String == hypervisorID }.map { $0["status"] as? String ?? "" } == ["firing", "resolved"])
        #expect(told.allSatisfy { $0["valid"] as? Bool == true })
        let id = try #require(guestAlert["id"] as? String)
        let history = try bed.get("/api/v1/alerts/\(id)/history") as? [[String: Any]] ?? []
        #expect(history.last?["reason"] as? String == "released" && history.last?["notified"] as? Bool == true, "\(history)")
    }

    static func told(_ path: String) -> [[String: Any]] { AlertingEndToEndTests.received(path) }
}
