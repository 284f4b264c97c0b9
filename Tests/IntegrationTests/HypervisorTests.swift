import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// The hypervisor layer on libvirt's test driver: two simulated hosts held open by the test (their state
/// lives in the connection), each reported by its own enrolled agent identity to a real server, and a guest
/// platform whose SMBIOS UUID is one domain's. Domains are moved, cloned and undefined over the same
/// connections the collectors read.
@Suite(.serialized) struct HypervisorTests {
    static let fixtures = StrataProcess.packageRoot + "/Tests/IntegrationTests/Fixtures/libvirt"
    static let web = "aaaaaaaa-0000-4000-8000-000000000001"

    /// One simulated host: its agent identity, credential, connection and collector.
    final class Host {
        let agentID: String
        let platformKey: String
        let credential: String
        let connection: LibvirtConnection
        var collector: HypervisorCollector
        var sequence: UInt64 = 0

        init(_ bed: Testbed, name: String, fixture: String) throws {
            agentID = "agent-\(name)"
            platformKey = "machine-id:\(name)"
            credential = try bed.enroll(agentID: agentID, platformKey: platformKey)
            connection = try LibvirtConnection(uri: "test://" + HypervisorTests.fixtures + "/" + fixture, readWrite: true)
            collector = HypervisorCollector(connections: [connection])
        }
    }

    /// Posts one batch for a platform (and, for a host, its hypervisor and VMs); returns the HTTP status.
    @discardableResult
    static func report(_ bed: Testbed, agentID: String, credential: String, sequence: UInt64, platformKey: String, name: String,
                       properties: PropertyValue, hypervisors: [HypervisorReport] = []) throws -> Int {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var resources = [ResourceReport(kind: .platform, key: platformKey, name: name, properties: properties)]
        var series = [SeriesPoints(resourceIndex: 0, metric: "uptime_seconds", type: .gauge, labels: Labels(), points: [Sample(now, Double(sequence))])]
        BatchBuilder.append(hypervisors, platformKey: platformKey, timestampMs: now, resources: &resources, series: &series) { _, value in value }
        let batch = AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: now, intervalMs: 1000, agentVersion: "test",
                               resources: resources, series: series)
        let response = try HTTPClient(baseURL: bed.url).send(method: "POST", path: "/api/agent/v1/batches", headers: [
            ("Authorization", "Bearer \(credential)"), ("Content-Type", "application/x-strata-batch"),
        ], body: BatchCodec.encode(batch))
        return response.status
    }

    static func report(_ bed: Testbed, _ host: Host) throws {
        host.sequence += 1
        let hypervisors = host.collector.collect(nowMs: Int64(Date().timeIntervalSince1970 * 1000), intervalMs: 1000)
        let status = try report(bed, agentID: host.agentID, credential: host.credential, sequence: host.sequence, platformKey: host.platformKey,
                                name: host.platformKey.dropFirst(11).description, properties: .map([("hostname", .string(host.platformKey))]),
                                hypervisors: hypervisors)
        #expect(status == 200, "batch of \(host.agentID)")
    }

    static func resources(_ bed: Testbed, kind: String) throws -> [[String: Any]] {
        try bed.get("/api/v1/resources?kind=\(kind)&limit=1000") as? [[String: Any]] ?? []
    }

    static func named(_ bed: Testbed, _ kind: String, _ name: String) throws -> [String: Any]? {
        try resources(bed, kind: kind).first { $0["name"] as? String == name }
    }

    static func events(_ bed: Testbed, _ resource: String, kind: String) throws -> [[String: Any]] {
        try bed.get("/api/v1/events?resource=\(resource)&kind=\(kind)") as? [[String: Any]] ?? []
    }

    @Test func aVMMovedBetweenHostsKeepsItsIdentitySeriesAndGuestWithOneRelocatedEvent() throws {
        let bed = try Testbed("hypervisor")
        let server = try bed.startServer()
        defer { server.terminate() }
        let hostA = try Host(bed, name: "host-a", fixture: "host-a.xml")
        let hostB = try Host(bed, name: "host-b", fixture: "host-b.xml")
        // The guest's platform as the agent's own discovery reads it from a recorded guest tree whose SMBIOS
        // product UUID (upper case, as DMI gives it) is the crm-web domain's and whose NIC has its MAC.
        let guestInfo = PlatformDiscovery(fs: HostFS(root: Self.fixtures + "/../guest-crm-web")).discover()
        #expect(guestInfo.smbiosUUID == Self.web)
        let guestCredential = try bed.enroll(agentID: "agent-guest", platformKey: guestInfo.identityKey)
        var guestSequence: UInt64 = 0
        func round() throws {
            try Self.report(bed, hostA)
            try Self.report(bed, hostB)
            guestSequence += 1
            #expect(try Self.report(bed, agentID: "agent-guest", credential: guestCredential, sequence: guestSequence, platformKey: guestInfo.identityKey,
                                    name: guestInfo.hostname, properties: guestInfo.properties) == 200)
            usleep(1_100_000)
        }
        for _ in 0..<3 { try round() }

        let hypervisorA = try #require(try Self.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.hasPrefix("machine-id:host-a/") == true })
        let hypervisorB = try #require(try Self.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.hasPrefix("machine-id:host-b/") == true })
        let idA = try #require(hypervisorA["id"] as? String)
        let idB = try #require(hypervisorB["id"] as? String)
        let vm = try #require(try Self.named(bed, "vm", "crm-web"))
        let vmID = try #require(vm["id"] as? String)
        #expect(vm["parentId"] as? String == idA, "the VM hangs below host A's hypervisor")
        #expect((vm["properties"] as? [String: Any])?["uuid"] as? String == Self.web)
        let guest = try #require(try bed.platforms().first { $0["name"] as? String == "guest-web" })
        let guestID = try #require(guest["id"] as? String)
        #expect(guest["parentId"] as? String == vmID, "the guest platform is matched to its VM by SMBIOS UUID")
        let match = (try bed.get("/api/v1/resources/\(guestID)") as? [String: Any])?["relations"] as? [[String: Any]] ?? []
        #expect(match.contains { $0["kind"] as? String == "runs-in" && ($0["evidence"] as? String)?.contains("SMBIOS UUID \(Self.web)") == true
            && ($0["evidence"] as? String)?.contains("confidence high") == true }, "the match keeps its evidence and confidence: \(match)")
        let seriesBefore = Set((try bed.get("/api/v1/resources/\(vmID)/series") as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        let cpuBefore = try bed.samples(platformID: vmID, metric: "libvirt_domain_cpu_seconds_total")
        #expect(cpuBefore.count >= 3)

        // The move, as a live migration looks from outside: the domain leaves A and appears, running, on B.
        let xml = try hostA.connection.xml(of: Self.web)
        try hostA.connection.destroy(Self.web)
        try hostA.connection.undefine(Self.web)
        try hostB.connection.define(xml: xml)
        try hostB.connection.start(Self.web)
        for _ in 0..<3 { try round() }

        let moved = try #require(try Self.named(bed, "vm", "crm-web"))
        #expect(moved["id"] as? String == vmID, "the VM keeps its id")
        #expect(moved["parentId"] as? String == idB, "its parent edge moved to host B's hypervisor")
        #expect(try bed.platforms().first { $0["name"] as? String == "guest-web" }?["parentId"] as? String == vmID, "the guest stays in its VM")
        let relocations = try Self.events(bed, vmID, kind: "relocated")
        #expect(relocations.count == 1, "exactly one relocated event: \(relocations)")
        #expect((relocations.first?["message"] as? String)?.contains("relocated from") == true)
        let seriesAfter = Set((try bed.get("/api/v1/resources/\(vmID)/series") as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(seriesAfter == seriesBefore, "no new series after the move")
        let cpuAfter = try bed.samples(platformID: vmID, metric: "libvirt_domain_cpu_seconds_total")
        #expect(cpuAfter.count >= cpuBefore.count + 3, "the same series goes on: \(cpuBefore.count) → \(cpuAfter.count) samples")
        let gaps = zip(cpuAfter, cpuAfter.dropFirst()).map { $1.0 - $0.0 }
        #expect(gaps.allSatisfy { $0 < 5_000 }, "no gap in the series across the move: \(gaps)")
        #expect(try Self.events(bed, vmID, kind: "availability").isEmpty, "the move raised no availability change for the VM")

        // Placement history: A then B; where it ran at a time; which VMs ran on a host.
        let placements = try bed.get("/api/v1/placements?vm=\(vmID)") as? [[String: Any]] ?? []
        #expect(placements.map { $0["hypervisorId"] as? String } == [idA, idB])
        #expect(placements.first?["toMs"] is NSNumber && placements.last?["toMs"] is NSNull)
        let firstFrom = try #require((placements.first?["fromMs"] as? NSNumber)?.int64Value)
        let atFirst = try bed.get("/api/v1/placements?vm=\(vmID)&at=\(firstFrom + 1)") as? [[String: Any]] ?? []
        #expect(atFirst.map { $0["hypervisorId"] as? String } == [idA], "where it ran at a time")
        let hostAID = try #require(hypervisorA["parentId"] as? String)
        let onHostA = try bed.get("/api/v1/placements?host=\(hostAID)&at=\(firstFrom + 1)") as? [[String: Any]] ?? []
        #expect(onHostA.contains { $0["vmId"] as? String == vmID }, "which VMs ran on host A then")
        let onHostANow = try bed.get("/api/v1/placements?host=\(hostAID)&at=\(Int64(Date().timeIntervalSince1970 * 1000))") as? [[String: Any]] ?? []
        #expect(!onHostANow.contains { $0["vmId"] as? String == vmID })
        let cli = try runCLI(["placement", "--vm", vmID, "--url", bed.url, "--user", "admin"], environment: ["STRATA_PASSWORD": Testbed.password])
        #expect(cli.status == 0 && cli.output.contains("host-a") && cli.output.contains("host-b"), "\(cli.output)")
    }

    @Test func undefinedVMsRetireWithHistoryAndAmbiguityIsReportedNotGuessed() throws {
        let bed = try Testbed("hypervisor-retire")
        let server = try bed.startServer()
        defer { server.terminate() }
        let hostA = try Host(bed, name: "host-a", fixture: "host-a.xml")
        let hostB = try Host(bed, name: "host-b", fixture: "host-b.xml")
        let guestCredential = try bed.enroll(agentID: "agent-twin-guest", platformKey: "machine-id:twin-guest")
        for round in 1...3 {
            try Self.report(bed, hostA)
            try Self.report(bed, hostB)
            // A guest without SMBIOS whose MAC is on two VMs (twin-1 on A, twin-2 on B).
            try Self.report(bed, agentID: "agent-twin-guest", credential: guestCredential, sequence: UInt64(round), platformKey: "machine-id:twin-guest",
                            name: "twin-guest", properties: .map([("hostname", .string("twin-guest")),
                                                                  ("nics", .list([.map([("name", .string("eth0")), ("mac", .string("52:54:00:dd:dd:dd"))])]))]))
            usleep(1_100_000)
        }
        let guest = try #require(try bed.platforms().first { $0["name"] as? String == "twin-guest" })
        #expect(guest["parentId"] is NSNull || guest["parentId"] == nil, "an ambiguous MAC makes no match")
        let ambiguity = try Self.events(bed, try #require(guest["id"] as? String), kind: "ambiguity")
        #expect(ambiguity.count == 1 && (ambiguity.first?["message"] as? String)?.contains("2 VMs") == true, "\(ambiguity)")

        // A cloned UUID: host B defines a domain with crm-db's UUID while A still runs it.
        let crmDB = try #require(try Self.named(bed, "vm", "crm-db")?["id"] as? String)
        let clone = try hostA.connection.xml(of: "aaaaaaaa-0000-4000-8000-000000000002")
            .replacingOccurrences(of: "<name>crm-db</name>", with: "<name>crm-db-clone</name>")
            .replacingOccurrences(of: "52:54:00:0a:00:02", with: "52:54:00:0b:00:99")
        try hostB.connection.define(xml: clone)
        try Self.report(bed, hostB)
        try Self.report(bed, hostA)
        try Self.report(bed, hostB)
        let hypervisorA = try #require(try Self.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.hasPrefix("machine-id:host-a/") == true })
        #expect((try bed.get("/api/v1/resources/\(crmDB)") as? [String: Any])?["parentId"] as? String == hypervisorA["id"] as? String,
                "the VM stays below the hypervisor it was on")
        #expect(try Self.events(bed, crmDB, kind: "ambiguity").count == 1, "two hosts listing one UUID at once is reported")
        #expect(try Self.events(bed, crmDB, kind: "relocated").isEmpty, "and not taken for a move")

        // Undefined everywhere: retired (after three intervals), kept with its history.
        let cache = try #require(try Self.named(bed, "vm", "cache")?["id"] as? String)
        let samplesBefore = try bed.samples(platformID: cache, metric: "libvirt_domain_memory_bytes").count
        try hostB.connection.destroy("bbbbbbbb-0000-4000-8000-000000000001")
        try hostB.connection.undefine("bbbbbbbb-0000-4000-8000-000000000001")
        try Self.report(bed, hostB)
        try waitUntil("cache retired", timeout: 15) { try Self.named(bed, "vm", "cache")?["availability"] as? String == "retired" }
        #expect(try Self.events(bed, cache, kind: "retired").count == 1)
        #expect(try bed.samples(platformID: cache, metric: "libvirt_domain_memory_bytes").count == samplesBefore, "its history is kept")
        let history = try bed.get("/api/v1/placements?vm=\(cache)") as? [[String: Any]] ?? []
        #expect(history.count == 1 && history[0]["toMs"] is NSNumber)
    }

    @Test func aFailingHypervisorIsReportedDownAndReconnectsWithoutStallingTheOthers() throws {
        let bed = try Testbed("hypervisor-failing")
        let server = try bed.startServer()
        defer { server.terminate() }
        let credential = try bed.enroll(agentID: "agent-flaky", platformKey: "machine-id:flaky")
        var sequence: UInt64 = 0
        func send(_ reports: [HypervisorReport]) throws {
            sequence += 1
            #expect(try Self.report(bed, agentID: "agent-flaky", credential: credential, sequence: sequence, platformKey: "machine-id:flaky",
                                    name: "flaky", properties: .map([("hostname", .string("flaky"))]), hypervisors: reports) == 200)
        }
        let missing = NSTemporaryDirectory() + "strata-missing-host-\(UInt32.random(in: 0...UInt32.max)).xml"
        var collector = HypervisorCollector(uris: ["test://" + missing, "test://" + Self.fixtures + "/host-b.xml"])
        var now: Int64 = 1_000_000
        var reports = collector.collect(nowMs: now, intervalMs: 1000)
        try send(reports)
        #expect(reports.count == 2)
        #expect(reports[0].metrics.value("up") == 0 && reports[0].vms == nil, "the failing one: down, and no VMs (so no VM alerts)")
        #expect(reports[1].metrics.value("up") == 1 && reports[1].vms?.count == 2, "the other is collected in the same pass")
        // The host comes back: reconnected after the backoff, not before.
        try FileManager.default.copyItem(atPath: Self.fixtures + "/host-a.xml", toPath: missing)
        defer { try? FileManager.default.removeItem(atPath: missing) }
        now += 500
        reports = collector.collect(nowMs: now, intervalMs: 1000)
        #expect(reports[0].metrics.value("up") == 0, "still backing off")
        now += 5_000
        reports = collector.collect(nowMs: now, intervalMs: 1000)
        #expect(reports[0].metrics.value("up") == 1 && reports[0].vms?.count == 4, "reconnected")
        try send(reports)

        // On the server: the failing hypervisor went down and came back up (availability events); the
        // platform's own series and the healthy hypervisor's VMs kept arriving throughout.
        let flaky = try #require(try Self.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.contains(missing) == true })
        let availability = try Self.events(bed, try #require(flaky["id"] as? String), kind: "availability").compactMap { $0["message"] as? String }
        #expect(availability.count == 2 && availability.contains { $0.contains("is down") } && availability.contains { $0.contains("is up") },
                "\(availability)")
        let platform = try #require(try bed.platforms().first { $0["name"] as? String == "flaky" }?["id"] as? String)
        #expect(try bed.samples(platformID: platform, metric: "uptime_seconds").count == 2)
        #expect(try Self.named(bed, "vm", "cache") != nil)
    }

    @Test func anUnapprovedDomainIsAnUnknownVMUntilApproved() throws {
        let bed = try Testbed("hypervisor-approval")
        let server = try bed.startServer()
        defer { server.terminate() }
        let cli = ["--url", bed.url, "--user", "admin"]
        let environment = ["STRATA_PASSWORD": Testbed.password]
        let policy = try runCLI(["discovery", "policy", "--mode", "rules", "--expect", "vm:crm-*"] + cli, environment: environment)
        #expect(policy.status == 0 && policy.output.contains("mode: rules") && policy.output.contains("expect: vm:crm-*"), "\(policy.output)")
        let hostA = try Host(bed, name: "host-a", fixture: "host-a.xml")
        for _ in 0..<2 { try Self.report(bed, hostA) }

        let twin = try #require(try Self.named(bed, "vm", "twin-1"))
        let twinID = try #require(twin["id"] as? String)
        #expect(twin["approval"] as? String == "pending")
        #expect(try Self.events(bed, twinID, kind: "unknown-vm").count == 1, "a VM neither approved nor expected is an unknown VM, once")
        let crmWeb = try #require(try Self.named(bed, "vm", "crm-web"))
        #expect(crmWeb["approval"] as? String == "approved", "an expected VM is approved by the rule")
        #expect(try Self.events(bed, try #require(crmWeb["id"] as? String), kind: "unknown-vm").isEmpty)

        let pending = try bed.get("/api/v1/discoveries?status=pending") as? [[String: Any]] ?? []
        let entry = try #require(pending.first { $0["resourceId"] as? String == twinID })
        #expect(entry["change"] as? String == "new")
        let approve = try runCLI(["discovery", "approve", "\(try #require(entry["id"] as? Int))"] + cli, environment: environment)
        #expect(approve.status == 0 && approve.output.contains("twin-1") && approve.output.contains("approved"), "\(approve.output)")
        #expect(try Self.named(bed, "vm", "twin-1")?["approval"] as? String == "approved")
        let cleared = try Self.events(bed, twinID, kind: "discovery")
        #expect(cleared.count == 1 && (cleared.first?["message"] as? String)?.contains("unknown-VM warning is cleared") == true, "\(cleared)")
        #expect(!(try bed.get("/api/v1/discoveries?status=pending") as? [[String: Any]] ?? []).contains { $0["resourceId"] as? String == twinID })
        let audit = try bed.get("/api/v1/audit?action=discovery.") as? [[String: Any]] ?? []
        #expect(audit.map { $0["action"] as? String } == ["discovery.approve", "discovery.policy"], "decisions are audited")
        for _ in 0..<2 { try Self.report(bed, hostA) }
        #expect(try Self.events(bed, twinID, kind: "unknown-vm").count == 1, "no new warning once approved")
    }

    /// A private libvirtd (no driver modules: it serves the test driver over its Unix socket) the agent
    /// reaches through `test+unix://`, so the connection can really drop mid-run when the daemon dies.
    static func startLibvirtd(_ directory: String) throws -> StrataProcess {
        try FileManager.default.createDirectory(atPath: directory + "/no-drivers", withIntermediateDirectories: true)
        try """
            unix_sock_dir = "\(directory)"
            auth_unix_rw = "none"
            auth_unix_ro = "none"
            log_outputs = "3:file:\(directory)/libvirtd.log"
            """.write(toFile: directory + "/libvirtd.conf", atomically: true, encoding: .utf8)
        let daemon = try StrataProcess(executable: "/usr/sbin/libvirtd", ["--config", directory + "/libvirtd.conf", "--pid-file", directory + "/pid"],
                                       environment: ["LIBVIRT_DRIVER_DIR": directory + "/no-drivers"], logPath: directory + "/stdout.log")
        try waitUntil("libvirtd's socket", timeout: 20) { FileManager.default.fileExists(atPath: directory + "/libvirt-sock") }
        return daemon
    }

    @Test func aHypervisorConnectionThatDropsMidRunIsSurvived() throws {
        let bed = try Testbed("hypervisor-daemon")
        let daemonDirectory = bed.directory + "/libvirtd"
        var daemon = try Self.startLibvirtd(daemonDirectory)
        defer { daemon.killTree() }
        let server = try bed.startServer()
        defer { server.terminate() }
        let uri = "test+unix://\(Self.fixtures)/host-a.xml?socket=\(daemonDirectory)/libvirt-sock"
        try WebStack.write("libvirt.uris = \(uri)\n", to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let agent = try bed.startAgent()
        defer { agent.terminate() }

        func hypervisor() throws -> [String: Any]? {
            try Self.resources(bed, kind: "hypervisor").first { ($0["naturalKey"] as? String)?.hasSuffix("/libvirt:" + uri) == true }
        }
        try waitUntil("the hypervisor and its VMs", timeout: 30) {
            try hypervisor()?["availability"] as? String == "up" && Self.named(bed, "vm", "crm-web") != nil
        }
        let hypervisorID = try #require(try hypervisor()?["id"] as? String)
        let platform = try #require(try bed.platforms().first?["id"] as? String)

        // The daemon dies mid-run: the connection drops; the hypervisor goes down, the platform's metrics go on.
        daemon.killTree()
        try waitUntil("the hypervisor down", timeout: 20) { try hypervisor()?["availability"] as? String == "down" }
        let uptimeAtDrop = try bed.samples(platformID: platform, metric: "uptime_seconds").count
        try waitUntil("platform samples still arriving", timeout: 10) {
            try bed.samples(platformID: platform, metric: "uptime_seconds").count >= uptimeAtDrop + 2
        }
        let crmWeb = try #require(try Self.named(bed, "vm", "crm-web")?["id"] as? String)
        #expect(try Self.events(bed, crmWeb, kind: "availability").isEmpty, "an unreachable hypervisor raises no alerts for its VMs")

        // The daemon is back: the agent reconnects (after its backoff) and the hypervisor is up again.
        daemon = try Self.startLibvirtd(daemonDirectory)
        try waitUntil("the hypervisor up again", timeout: 30) { try hypervisor()?["availability"] as? String == "up" }
        let availability = try Self.events(bed, hypervisorID, kind: "availability").compactMap { $0["message"] as? String }
        #expect(availability.filter { $0.contains("is down") }.count == 1 && availability.filter { $0.contains("is up") }.count == 1, "\(availability)")
        let log = try String(contentsOfFile: bed.directory + "/agent.log", encoding: .utf8)
        #expect(log.contains("cannot collect hypervisor") && log.contains("hypervisor reachable again"), "warned once, and said when it recovered")
    }
}
