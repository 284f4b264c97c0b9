import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// Chargeback and licensing over HTTP on an estate loaded through `POST /api/v1/import`: two VMs with known vCPUs
/// and memory, one moving between hosts, a Tomcat in each, CPU and network counters; prices from a rate card file.
@Suite struct UsageRoutesTests {
    static let hour: Int64 = 3_600_000

    static func document(start: Int64, moved: Int64, end: Int64) -> String {
        let times = Array(stride(from: start, through: end, by: Int(300_000)))
        // 2 cores busy on crm (cpu seconds grow 2 per second), 1 MB/s received by its guest.
        let cpu = times.map { "[\($0), \(Double($0 - start) / 1000 * 2)]" }.joined(separator: ",")
        let received = times.map { "[\($0), \(Double($0 - start) / 1000 * 1_048_576)]" }.joined(separator: ",")
        return """
            {"version": 1, "resources": [
              {"kind": "platform", "key": "host-a"}, {"kind": "platform", "key": "host-b"},
              {"kind": "hypervisor", "key": "kvm-a", "parent": "host-a"}, {"kind": "hypervisor", "key": "kvm-b", "parent": "host-b"},
              {"kind": "vm", "key": "vm:crm", "name": "crm", "properties": {"vcpus": 4, "max_memory_bytes": 8589934592},
               "placements": [{"hypervisor": "kvm-a", "from": \(start), "to": \(moved)}, {"hypervisor": "kvm-b", "from": \(moved)}]},
              {"kind": "vm", "key": "vm:erp", "name": "erp", "properties": {"vcpus": 2, "max_memory_bytes": 4294967296},
               "placements": [{"hypervisor": "kvm-a", "from": \(start)}]},
              {"kind": "platform", "key": "crm-guest", "relations": [{"kind": "runs-in", "target": "vm:crm"}]},
              {"kind": "platform", "key": "erp-guest", "relations": [{"kind": "runs-in", "target": "vm:erp"}]},
              {"kind": "server", "key": "crm-guest/tomcat", "parent": "crm-guest", "properties": {"type": "tomcat"}},
              {"kind": "server", "key": "erp-guest/tomcat", "parent": "erp-guest", "properties": {"type": "tomcat"}},
              {"kind": "server", "key": "erp-guest/nginx", "parent": "erp-guest", "properties": {"type": "nginx"}}
            ], "series": [
              {"resource": "vm:crm", "metric": "libvirt_domain_cpu_seconds_total", "type": "counter", "samples": [\(cpu)]},
              {"resource": "crm-guest", "metric": "network_receive_bytes_total", "type": "counter", "samples": [\(received)]}
            ]}
            """
    }

    @Test func chargebackPricesAllocationsAndUsageFromTheRateCardAsJSONAndCSV() async throws {
        let end = WallClock.nowMs() / 300_000 * 300_000, start = end - 48 * Self.hour
        let harness = try ServerHarness()
        try """
            currency: CHF
            vcpuHour: 0.01
            memoryGBHour: 0.002
            networkGB: 0.05
            cpuCoreHourUsed: 0.03
            """.write(toFile: (harness.server.configuration.dataDirectory as NSString).appendingPathComponent("ratecard.yml"), atomically: true, encoding: .utf8)
        try await harness.test { client in
            let imported = try await post(client, "/api/v1/import", Self.document(start: start, moved: start + 24 * Self.hour, end: end), ServerHarness.adminBasic)
            #expect(imported.status == .ok, "\(String(buffer: imported.body).prefix(300))")
            let from = end - 24 * Self.hour
            // A group holding host-b covers crm (placed there) only through its own membership: groups hold resources,
            // so put crm's VM in "crm-team" directly and the whole of kvm-a (erp beneath it) in "platform-team".
            let crmID = StableID.resource(tenant: "default", kind: .vm, key: "vm:crm").description
            let kvmA = StableID.resource(tenant: "default", kind: .hypervisor, key: "kvm-a").description
            for (name, members) in [("crm-team", [crmID]), ("platform-team", [kvmA])] {
                let created = try await post(client, "/api/v1/groups", #"{"name": "\#(name)", "members": ["\#(members.joined(separator: "\",\""))"]}"#,
                                             ServerHarness.adminBasic)
                #expect(created.status == .ok || created.status == .created, "\(String(buffer: created.body))")
            }
            let response = try await client.execute(uri: "/api/v1/analysis/chargeback?from=\(from)&to=\(end)", method: .get, headers: ServerHarness.adminBasic)
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(300))")
            let report = (response.data as? [String: Any])?["report"] as? [String: Any] ?? [:]
            #expect(report["currency"] as? String == "CHF")
            let vms = report["vms"] as? [[String: Any]] ?? []
            let crm = try #require(vms.first { $0["name"] as? String == "crm" })
            let q = crm["quantities"] as? [String: Double] ?? [:]
            #expect(abs((q["vcpuHours"] ?? 0) - 96) < 1e-6, "4 vCPUs for 24 h: \(q)")
            #expect(abs((q["memoryGBHours"] ?? 0) - 192) < 1e-6, "8 GB for 24 h: \(q)")
            #expect(abs((q["cpuCoreHoursUsed"] ?? 0) - 48) < 0.5, "2 cores busy for 24 h: \(q)")
            #expect(abs((q["networkGB"] ?? 0) - 84.375) < 0.5, "1 MiB/s for 24 h: \(q)")
            let expected = 96 * 0.01 + 192 * 0.002 + (q["cpuCoreHoursUsed"] ?? 0) * 0.03 + (q["networkGB"] ?? 0) * 0.05
            #expect(abs((crm["cost"] as? Double ?? 0) - expected) < 1e-6)
            let groups = report["groups"] as? [[String: Any]] ?? []
            #expect(abs((groups.first { $0["key"] as? String == "crm-team" }?["cost"] as? Double ?? -1) - expected) < 1e-6, "\(groups)")
            let erp = try #require(vms.first { $0["name"] as? String == "erp" })
            #expect(abs((groups.first { $0["key"] as? String == "platform-team" }?["cost"] as? Double ?? -1) - (erp["cost"] as? Double ?? 0)) < 1e-6,
                    "erp sits under kvm-a, crm left it: \(groups)")
            let csv = try await client.execute(uri: "/api/v1/analysis/chargeback?from=\(from)&to=\(end)&format=csv", method: .get, headers: ServerHarness.adminBasic)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(String(buffer: csv.body).split(separator: "\n").contains { $0.hasPrefix("vm,") && $0.contains(",crm,") })
            let empty = try await client.execute(uri: "/api/v1/analysis/chargeback?from=\(end)&to=\(end)", method: .get, headers: ServerHarness.adminBasic)
            #expect(empty.status == .badRequest)
        }
    }

    @Test func licensingCountsConcurrentServersOverallPerHostFollowingTheMoveAndPerVM() async throws {
        let end = WallClock.nowMs() / 300_000 * 300_000, start = end - 48 * Self.hour
        try await ServerHarness().test { client in
            let imported = try await post(client, "/api/v1/import", Self.document(start: start, moved: start + 24 * Self.hour, end: end), ServerHarness.adminBasic)
            #expect(imported.status == .ok)
            let response = try await client.execute(uri: "/api/v1/analysis/licensing?from=\(start)&to=\(end + Self.hour)", method: .get,
                                                    headers: ServerHarness.adminBasic)
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(300))")
            let data = response.data as? [String: Any] ?? [:]
            let overall = data["overall"] as? [[String: Any]] ?? []
            #expect(overall.first { $0["type"] as? String == "tomcat" }?["peak"] as? Int == 2, "\(overall)")
            #expect(overall.first { $0["type"] as? String == "nginx" }?["peak"] as? Int == 1)
            // Both Tomcats run now: crm's on host-b (it moved), erp's on host-a.
            let hosts = data["hosts"] as? [[String: Any]] ?? []
            for host in ["host-a", "host-b"] {
                #expect(hosts.first { $0["scopeName"] as? String == host && $0["type"] as? String == "tomcat" }?["peak"] as? Int == 1, "\(hosts)")
            }
        }
    }
}
