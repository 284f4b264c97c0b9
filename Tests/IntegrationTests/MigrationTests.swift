import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// A live migration as libvirt shows it, and a clone that comes and goes, on libvirt's test driver with two
/// simulated hosts, each reported by its own agent identity to a real server (see `HypervisorTests`).
@Suite(.serialized) struct MigrationTests {
    typealias Host = HypervisorTests.Host
    static let web = HypervisorTests.web
    static let db = "aaaaaaaa-0000-4000-8000-000000000002"

    /// A server and two simulated hosts, each with its agent identity.
    static func twoHosts(_ name: String) throws -> (Testbed, StrataProcess, Host, Host) {
        let bed = try Testbed(name)
        let server = try bed.startServer()
        return (bed, server, try Host(bed, name: "host-a", fixture: "host-a.xml"), try Host(bed, name: "host-b", fixture: "host-b.xml"))
    }

    /// Both hosts report once.
    static func round(_ bed: Testbed, _ hostA: Host, _ hostB: Host) throws {
        try HypervisorTests.report(bed, hostA)
        try HypervisorTests.report(bed, hostB)
        usleep(300_000)
    }

    @Test func aLiveMigrationWithAPausedIncomingDomainIsOneRelocationNamingBothHostsWithoutAmbiguityOrFlapping() throws {
        let (bed, server, hostA, hostB) = try Self.twoHosts("migration")
        defer { server.terminate() }
        func round() throws { try Self.round(bed, hostA, hostB) }
        for _ in 0..<2 { try round() }
        let vmID = try #require(try HypervisorTests.named(bed, "vm", "crm-web")?["id"] as? String)

        // The incoming side: defined on B and paused while A still runs it, for several reports.
        try hostB.connection.define(xml: try hostA.connection.xml(of: Self.web))
        try hostB.connection.start(Self.web)
        try hostB.connection.suspend(Self.web)
        for _ in 0..<3 { try round() }
        let hypervisorB = try #require(try HypervisorTests.resources(bed, kind: "hypervisor").first {
            ($0["naturalKey"] as? String)?.hasPrefix("machine-id:host-b/") == true
        })
        #expect(try HypervisorTests.named(bed, "vm", "crm-web")?["parentId"] as? String != hypervisorB["id"] as? String,
                "during the migration the VM stays with its source")
        // The switch-over: A lets it go, B resumes it.
        try hostA.connection.destroy(Self.web)
        try hostA.connection.undefine(Self.web)
        try hostB.connection.resume(Self.web)
        for _ in 0..<3 { try round() }

        let moved = try #require(try HypervisorTests.named(bed, "vm", "crm-web"))
        #expect(moved["id"] as? String == vmID && moved["parentId"] as? String == hypervisorB["id"] as? String)
        #expect(moved["availability"] as? String == "up")
        let relocations = try HypervisorTests.events(bed, vmID, kind: "relocated")
        #expect(relocations.count == 1, "\(relocations)")
        let message = relocations.first?["message"] as? String ?? ""
        #expect(message.contains("host-a.xml") && message.contains("host-b.xml"), "each hypervisor is named so a person can tell them apart: \(message)")
        #expect(try HypervisorTests.events(bed, vmID, kind: "ambiguity").isEmpty, "a paused incoming domain is not a clone")
        #expect(try HypervisorTests.events(bed, vmID, kind: "availability").isEmpty, "the VM's availability never flapped")

        // PromQL: the VM's metric joined to its placement names host A until the switch-over and host B from then on.
        let switchOver = try #require(relocations.first?["timeMs"] as? NSNumber).int64Value
        func hosts(at ms: Int64) throws -> [String] {
            let query = "libvirt_domain_vcpus{vm=\"\(vmID)\"} * on(vm) group_left(host_name) strata_placement_info"
            let path = "/prometheus/api/v1/query?query=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&time=\(Double(ms) / 1000)"
            let data = try bed.get(path) as? [String: Any]
            return (data?["result"] as? [[String: Any]] ?? []).compactMap { ($0["metric"] as? [String: String])?["host_name"] }
        }
        let before = try hosts(at: switchOver - 1), after = try hosts(at: switchOver)
        #expect(before == ["host-a"], "\(before)")
        #expect(after == ["host-b"], "\(after)")
    }

    @Test func aCloneThatComesAndGoesLeavesTheOriginalWhereItWasWithItsOwnNameAndMAC() throws {
        let (bed, server, hostA, hostB) = try Self.twoHosts("clone")
        defer { server.terminate() }
        func round() throws { try Self.round(bed, hostA, hostB) }
        try round()
        let original = try #require(try HypervisorTests.named(bed, "vm", "crm-db"))
        let vmID = try #require(original["id"] as? String)
        let parent = original["parentId"] as? String

        let clone = try hostA.connection.xml(of: Self.db)
            .replacingOccurrences(of: "<name>crm-db</name>", with: "<name>crm-db-clone</name>")
            .replacingOccurrences(of: "52:54:00:0a:00:02", with: "52:54:00:0b:00:99")
        try hostB.connection.define(xml: clone)
        try hostB.connection.start(Self.db)
        for _ in 0..<3 { try round() }
        try hostB.connection.destroy(Self.db)
        try hostB.connection.undefine(Self.db)
        for _ in 0..<3 { try round() }

        let after = try #require(try bed.get("/api/v1/resources/\(vmID)") as? [String: Any])
        #expect(after["parentId"] as? String == parent, "the original never left its host")
        #expect(after["name"] as? String == "crm-db", "the clone's name never became the original's")
        let nics = (after["properties"] as? [String: Any])?["nics"] as? [[String: Any]] ?? []
        #expect(nics.compactMap { $0["mac"] as? String } == ["52:54:00:0a:00:02"], "nor its MAC: \(nics)")
        #expect(try HypervisorTests.events(bed, vmID, kind: "relocated").isEmpty, "the clone's removal is no relocation")
        #expect(try HypervisorTests.events(bed, vmID, kind: "ambiguity").count == 1, "the clone was reported once")
        #expect(try HypervisorTests.events(bed, vmID, kind: "availability").isEmpty)
    }
}
