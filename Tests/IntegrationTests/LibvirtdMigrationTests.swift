import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// A live migration as libvirt shows it to a real `strata agent`: two private libvirtd daemons (hosts A and B),
/// one agent process collecting both every second, a real server. The test moves the domain over its own
/// connections to the daemons, step by step in the order libvirt migrates, and holds each step for whole
/// collections so the agent reports every in-between state.
///
/// The daemons serve the test driver's shared `test:///default` state: one state for all of a daemon's
/// clients, so the agent sees what the test does. (A fixture file, `test:///PATH`, gives each connection its
/// own copy, even through a daemon.)
@Suite(.serialized) struct LibvirtdMigrationTests {
    static let web = HypervisorTests.web
    /// The domain `test:///default` starts with, on both hosts alike (so a split brain): removed first.
    static let defaultDomain = "6695eb01-f6a4-8304-79aa-97f2502e193f"

    /// One host: its daemon, the URI the agent collects, and the test's own read-write connection.
    final class Host {
        let daemon: StrataProcess
        let uri: String
        // Closed before the daemon dies (`stop`): closing it on a dead socket raises SIGPIPE in the test runner.
        var connection: LibvirtConnection!

        init(_ bed: Testbed, name: String) throws {
            let directory = bed.directory + "/libvirtd-" + name
            daemon = try HypervisorTests.startLibvirtd(directory)
            uri = "test+unix:///default?socket=\(directory)/libvirt-sock"
            do {
                let connection = try LibvirtConnection(uri: uri, readWrite: true)
                try connection.destroy(LibvirtdMigrationTests.defaultDomain)
                try connection.undefine(LibvirtdMigrationTests.defaultDomain)
                self.connection = connection
            } catch {
                daemon.killTree()
                throw error
            }
        }

        func stop() {
            connection = nil
            daemon.killTree()
        }
    }

    /// The `<domain>` element of `name` in a fixture file.
    static func domainXML(_ name: String, fixture: String) throws -> String {
        let text = try String(contentsOfFile: HypervisorTests.fixtures + "/" + fixture, encoding: .utf8)
        let named = try #require(text.range(of: "<name>\(name)</name>"))
        let start = try #require(text.range(of: "<domain ", options: .backwards, range: text.startIndex..<named.lowerBound))
        let end = try #require(text.range(of: "</domain>", range: named.upperBound..<text.endIndex))
        return String(text[start.lowerBound..<end.upperBound])
    }

    @Test func aLiveMigrationInLibvirtsOrderThroughTwoDaemonsIsOneRelocationWithoutAmbiguityOrAvailabilityChange() throws {
        let bed = try Testbed("libvirtd-migration")
        let hostA = try Host(bed, name: "a")
        defer { hostA.stop() }
        let hostB = try Host(bed, name: "b")
        defer { hostB.stop() }
        try hostA.connection.define(xml: try Self.domainXML("crm-web", fixture: "host-a.xml"))
        try hostA.connection.start(Self.web)
        let server = try bed.startServer()
        defer { server.terminate() }
        try WebStack.write("libvirt.uris = \(hostA.uri), \(hostB.uri)\n", to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let agent = try bed.startAgent()
        defer { agent.terminate() }

        func hypervisorID(_ host: Host) throws -> String? {
            try HypervisorTests.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.hasSuffix("/libvirt:" + host.uri) == true }?["id"] as? String
        }
        func vm() throws -> [String: Any]? { try HypervisorTests.named(bed, "vm", "crm-web") }
        try waitUntil("crm-web up below host A's hypervisor", timeout: 60) {
            try hypervisorID(hostB) != nil && vm()?["availability"] as? String == "up" && vm()?["parentId"] as? String == hypervisorID(hostA)
        }
        let idA = try #require(try hypervisorID(hostA))
        let idB = try #require(try hypervisorID(hostB))
        let vmID = try #require(try vm()?["id"] as? String)
        let platformID = try #require(try bed.platforms().first?["id"] as? String)
        // Waits for `count` more of the agent's batches to be stored (its platform's uptime samples).
        func collections(_ count: Int) throws {
            let start = try bed.samples(platformID: platformID, metric: "uptime_seconds").count
            try waitUntil("\(count) more collections", timeout: Double(10 + 3 * count)) {
                try bed.samples(platformID: platformID, metric: "uptime_seconds").count >= start + count
            }
        }
        func openPlacements() throws -> [String?] {
            (try bed.get("/api/v1/placements?vm=\(vmID)") as? [[String: Any]] ?? []).filter { $0["toMs"] is NSNull }.map { $0["hypervisorId"] as? String }
        }

        // The incoming side: B defines the domain and holds it paused while A runs it, for several intervals.
        // (The test driver cannot start a domain paused: it runs for the millisecond between the two calls,
        // made right after a collection, a second before the next.)
        try collections(1)
        try hostB.connection.define(xml: try hostA.connection.xml(of: Self.web))
        try hostB.connection.start(Self.web)
        try hostB.connection.suspend(Self.web)
        try collections(4)
        #expect(try openPlacements() == [idA, idB], "both hosts list it")
        #expect(try vm()?["parentId"] as? String == idA, "during the migration the VM stays with its source")
        #expect(try vm()?["availability"] as? String == "up")

        // The switch-over in libvirt's order: the source paused for the last copy (both paused), the
        // destination resumed (the source still paused), then the source let go.
        try hostA.connection.suspend(Self.web)
        try collections(2)
        try hostB.connection.resume(Self.web)
        try collections(2)
        try hostA.connection.destroy(Self.web)
        try hostA.connection.undefine(Self.web)
        try collections(3)

        let moved = try #require(try vm())
        #expect(moved["id"] as? String == vmID && moved["parentId"] as? String == idB, "the same VM, now below host B's hypervisor")
        #expect(moved["availability"] as? String == "up")
        #expect(try openPlacements() == [idB])
        let relocations = try HypervisorTests.events(bed, vmID, kind: "relocated").compactMap { $0["message"] as? String }
        #expect(relocations.count == 1, "\(relocations)")
        #expect(relocations.first.map { $0.contains(hostA.uri) && $0.contains(hostB.uri) } == true, "both hypervisors named: \(relocations)")
        let ambiguity = try HypervisorTests.events(bed, vmID, kind: "ambiguity").compactMap { $0["message"] as? String }
        #expect(ambiguity.isEmpty, "a paused incoming domain is not a clone: \(ambiguity)")
        let availability = try HypervisorTests.events(bed, vmID, kind: "availability").compactMap { $0["message"] as? String }
        #expect(availability.isEmpty, "the VM's availability never changed: \(availability)")
    }
}
