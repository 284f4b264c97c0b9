import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// `POST /api/v1/import` end to end through the router: a topology with history goes in, the inventory routes,
/// `/api/v1/query` and PromQL (with `strata_placement_info`) read it back, a second import changes nothing, another
/// tenant sees none of it, and bad documents are refused naming their record.
@Suite struct ImportRoutesTests {
    static let minute: Int64 = 60_000
    static let day: Int64 = 86_400_000
    /// A whole minute, three days ago: the history's start; the VM moves from host A to host B a day later.
    static let t0: Int64 = (WallClock.nowMs() / minute - 3 * 1440) * minute
    static let moved = t0 + day

    static func id(_ kind: ResourceKind, _ key: String, tenant: String = "default") -> String {
        StableID.resource(tenant: tenant, kind: kind, key: key).description
    }

    static let vm = id(.vm, "vm:crm"), guest = id(.platform, "crm-guest"), hostB = id(.platform, "host-b"), web = id(.server, "crm-guest/nginx")

    /// host A and B with a hypervisor each, two VMs (crm moving from A to B), a guest in crm with nginx and a
    /// PostgreSQL it depends on, a service, and five-minute history of three days for the guest and nginx.
    static func document() -> String {
        let times = Array(stride(from: Self.t0, to: Self.t0 + 3 * Self.day, by: Int(5 * Self.minute)))
        let cpu = times.map { "[\($0), 0.5]" }.joined(separator: ",")
        let connections = times.enumerated().map { "[\"\(rfc3339($1))\", \($0 % 7)]" }.joined(separator: ",")
        return """
            {"version": 1, "resources": [
              {"kind": "platform", "key": "host-a", "name": "host-a", "properties": {"cpu": {"cores": 32}}},
              {"kind": "platform", "key": "host-b", "name": "host-b"},
              {"kind": "hypervisor", "key": "kvm-a", "name": "kvm on host-a", "parent": "host-a"},
              {"kind": "hypervisor", "key": "kvm-b", "name": "kvm on host-b", "parent": "host-b"},
              {"kind": "vm", "key": "vm:crm", "name": "crm", "placements": [
                {"hypervisor": "kvm-a", "from": \(t0), "to": \(moved)}, {"hypervisor": "kvm-b", "from": \(moved)}]},
              {"kind": "vm", "key": "vm:erp", "name": "erp", "parent": "kvm-a"},
              {"kind": "platform", "key": "crm-guest", "name": "crm.lan", "relations": [{"kind": "runs-in", "target": "vm:crm"}]},
              {"kind": "server", "key": "crm-guest/nginx", "name": "nginx", "parent": "crm-guest",
               "relations": [{"kind": "depends-on", "target": "crm-guest/postgres", "evidence": "from the CMDB"}]},
              {"kind": "server", "key": "crm-guest/postgres", "name": "postgres", "parent": "crm-guest"},
              {"kind": "service", "key": "crm-guest/nginx/shop", "name": "shop", "parent": "crm-guest/nginx"}
            ], "series": [
              {"resource": "crm-guest", "metric": "cpu_usage_ratio", "samples": [\(cpu)]},
              {"resource": "crm-guest/nginx", "metric": "nginx_connections", "labels": {"state": "active"}, "samples": [\(connections)]}
            ]}
            """
    }

    static func rfc3339(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func importing(_ client: any TestClientProtocol, _ json: String, _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        try await post(client, "/api/v1/import", json, headers)
    }

    static func counts(_ response: TestResponse) -> [String: Int] {
        ((response.data as? [String: Any]) ?? [:]).compactMapValues { $0 as? Int }
    }

    @Test func anImportedTopologyReadsBackThroughInventoryQueryAndPromQLAndImportingAgainChangesNothing() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let first = try await Self.importing(client, Self.document())
            #expect(first.status == .ok, "\(String(buffer: first.body))")
            let samples = 2 * 3 * 288
            #expect(Self.counts(first) == ["resourcesCreated": 10, "resourcesUpdated": 0, "resourcesUnchanged": 0, "relationsChanged": 2,
                                           "placementsChanged": 2, "seriesCreated": 2, "samplesWritten": samples, "samplesAlreadyPresent": 0,
                                           "samplesConflicting": 0, "samplesRejected": 0, "eventsAdded": 0])

            // The inventory: the guest under its VM, the VM on host B's hypervisor, the dependency.
            let detail = try await client.execute(uri: "/api/v1/resources/\(Self.web)", method: .get, headers: ServerHarness.adminBasic)
            let body = detail.data as? [String: Any] ?? [:]
            let parents = (body["parents"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(parents == ["host-b", "kvm on host-b", "crm", "crm.lan"], "\(String(buffer: detail.body))")
            let relations = (body["relations"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "")→\($0["name"] ?? "")" }
            #expect(relations == ["depends-on→postgres"])
            let placements = try await client.execute(uri: "/api/v1/placements?vm=\(Self.vm)", method: .get, headers: ServerHarness.adminBasic)
            #expect((placements.data as? [[String: Any]])?.count == 2, "\(String(buffer: placements.body))")

            // Strata's own query finds the history under its resource.
            let query = try await client.execute(
                uri: "/api/v1/query?select=nginx_connections&from=\(Self.t0)&to=\(Self.t0 + 3 * Self.day)&step=1h&fn=max",
                method: .get, headers: ServerHarness.adminBasic)
            let series = (query.data as? [String: Any])?["series"] as? [[String: Any]] ?? []
            #expect(series.count == 1, "\(String(buffer: query.body))")
            #expect((series.first?["labels"] as? [String: String])?["resource_id"] == Self.web)
            #expect(((series.first?["points"] as? [Any])?.count ?? 0) >= 72)

            // PromQL: the guest's CPU joined to where its VM ran, before and after the move.
            for (time, host) in [(Self.moved - 30 * Self.minute, Self.id(.platform, "host-a")), (Self.moved + 30 * Self.minute, Self.hostB)] {
                let answer = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                    ("query", "cpu_usage_ratio * on(vm) group_left(host) strata_placement_info"), ("time", String(Double(time) / 1000))])
                let metrics = CrossLayerLabelsTests.result(answer).compactMap { $0["metric"] as? [String: String] }
                #expect(metrics.map { $0["host"] } == [host], "\(String(buffer: answer.body))")
                #expect(metrics.first?["vm"] == Self.vm && metrics.first?["platform"] == Self.guest)
            }

            // Nothing reports on the imported servers: unknown from now, not retired as if unknown since 1970.
            let retired = try await harness.server.catalog.retireGoneServers(afterMs: 7 * Self.day, nowMs: WallClock.nowMs() + Self.day)
            #expect(retired.isEmpty, "\(retired.map(\.message))")

            // The same document again: nothing changes.
            let second = try await Self.importing(client, Self.document())
            #expect(Self.counts(second) == ["resourcesCreated": 0, "resourcesUpdated": 0, "resourcesUnchanged": 10, "relationsChanged": 0,
                                            "placementsChanged": 0, "seriesCreated": 0, "samplesWritten": 0, "samplesAlreadyPresent": samples,
                                            "samplesConflicting": 0, "samplesRejected": 0, "eventsAdded": 0], "\(String(buffer: second.body))")
            let again = try await client.execute(uri: "/api/v1/placements?vm=\(Self.vm)", method: .get, headers: ServerHarness.adminBasic)
            #expect((again.data as? [[String: Any]])?.count == 2)
            let discovered = try await client.execute(uri: "/api/v1/events?resource=\(Self.vm)&kind=discovered", method: .get, headers: ServerHarness.adminBasic)
            #expect((discovered.data as? [[String: Any]])?.count == 1, "\(String(buffer: discovered.body))")

            // Another tenant sees none of it.
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let theirs = try await client.execute(uri: "/api/v1/resources", method: .get, headers: boss)
            #expect((theirs.data as? [[String: Any]])?.isEmpty == true, "\(String(buffer: theirs.body))")
            let promql = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "count({__name__=~\".+\"})"), ("time", String(Double(Self.moved) / 1000))], boss)
            #expect(promql.status == .ok && CrossLayerLabelsTests.result(promql).isEmpty, "\(String(buffer: promql.body))")
        }
    }

    @Test func badDocumentsAreRefusedWithTheRecordNamedAndNothingStored() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let cases: [(String, String)] = [
                (#"{"resources": [{"kind": "mainframe", "key": "z"}]}"#, #"resources[0] (key \"z\"): unknown kind \"mainframe\""#),
                (#"{"resources": [{"kind": "server", "key": "s", "parent": "host-9"}]}"#,
                 #"resources[0] (key \"s\"): parent \"host-9\" is not in the document or the inventory"#),
                (#"{"resources": [{"kind": "platform", "key": "h"}, {"kind": "platform", "key": "h"}]}"#, "resources[1] (key \\\"h\\\"): duplicate key"),
                (#"{"resources": [{"kind": "platform", "key": "h"}], "series": [{"resource": "h", "metric": "m", "samples": [[\#(Self.t0), 1], [\#(Self.t0 - 1), 2]]}]}"#,
                 "series[0] samples[1]: out of order"),
                (#"{"resources": [{"kind": "platform", "key": "h"}], "series": [{"resource": "h", "metric": "m", "samples": [[\#(Self.t0), "+Inf"]]}]}"#,
                 "series[0] samples[0]: value inf is not finite"),
                (#"{"resources": [{"kind": "platform", "key": "h", "parent": "v"}, {"kind": "hypervisor", "key": "k", "parent": "h"}, {"kind": "vm", "key": "v", "parent": "k"}]}"#,
                 "parent chain is a cycle"),
                (#"{"resources": [], "extra": 1}"#, "unknown field(s) extra"),
            ]
            for (document, message) in cases {
                let response = try await Self.importing(client, document)
                #expect(response.status == .badRequest, "\(document)")
                #expect(String(buffer: response.body).contains(message), "\(String(buffer: response.body))")
            }
            let resources = try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic)
            #expect((resources.data as? [[String: Any]])?.isEmpty == true, "\(String(buffer: resources.body))")
        }
    }

    @Test func importingNeedsManageAndWriteAndIsAudited() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let user = try await post(client, "/api/v1/users", #"{"username":"ops","password":"operator password 1","role":"operator"}"#, ServerHarness.adminBasic)
            #expect(user.status == .created, "\(String(buffer: user.body))")
            let refused = try await Self.importing(client, #"{"resources": []}"#, basic("ops", "operator password 1"))
            #expect(refused.status == .forbidden)
            let accepted = try await Self.importing(client, #"{"resources": [{"kind": "platform", "key": "p2v-1"}]}"#)
            #expect(accepted.status == .ok)
            let audit = try await client.execute(uri: "/api/v1/audit?action=import", method: .get, headers: ServerHarness.adminBasic)
            #expect(String(buffer: audit.body).contains("1 resources (1 new, 0 changed)"), "\(String(buffer: audit.body))")
        }
    }

    @Test func thirtyDaysOfFiveMinuteHistoryImportPersistAndReimportAsAlreadyPresent() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            // From noon 31 days ago: the 30 days end at yesterday's noon whatever the time of day (started 30 days
            // before "now", the last day's bucket was empty in the first minutes after midnight).
            let start = WallClock.nowMs() / Self.day * Self.day - 31 * Self.day + Self.day / 2
            let times = Array(stride(from: start, to: start + 30 * Self.day, by: Int(5 * Self.minute)))
            let hosts = ["p2v-1", "p2v-2", "p2v-3"]
            let resources = hosts.map { #"{"kind": "platform", "key": "\#($0)"}"# }.joined(separator: ",")
            let series = hosts.flatMap { host in
                ["cpu_used_cores", "memory_used_bytes"].map { metric -> String in
                    let samples = times.enumerated().map { "[\($1), \($0 % 288)]" }.joined(separator: ",")
                    return #"{"resource": "\#(host)", "metric": "\#(metric)", "samples": [\#(samples)]}"#
                }
            }.joined(separator: ",")
            let document = #"{"resources": [\#(resources)], "series": [\#(series)]}"#
            let total = times.count * hosts.count * 2
            #expect(times.count == 8640)
            let first = try await Self.importing(client, document)
            #expect(Self.counts(first)["samplesWritten"] == total, "\(String(buffer: first.body).prefix(500))")

            // Persisted as a block and maintained (rolled up), the history reads back whole …
            try await harness.server.store.persistHead()
            try await harness.server.store.maintain()
            let host = Self.id(.platform, "p2v-2")
            let listed = try await client.execute(uri: "/api/v1/resources/\(host)/series", method: .get, headers: ServerHarness.adminBasic)
            let seriesID = try #require((listed.data as? [[String: Any]])?.first { $0["metric"] as? String == "cpu_used_cores" }?["id"] as? String)
            let raw = try await client.execute(uri: "/api/v1/series/\(seriesID)/samples?from=\(start)&to=\(start + 30 * Self.day)", method: .get,
                                               headers: ServerHarness.adminBasic)
            #expect(((raw.data as? [String: Any])?["samples"] as? [Any])?.count == 8640)
            let daily = try await client.execute(
                uri: "/api/v1/query?select=cpu_used_cores&from=\(start)&to=\(start + 30 * Self.day - 1)&step=1d&fn=max", method: .get,
                headers: ServerHarness.adminBasic)
            let answer = (daily.data as? [String: Any])?["series"] as? [[String: Any]] ?? []
            #expect(answer.count == 3, "\(String(buffer: daily.body).prefix(500))")
            let maxima = (answer.first?["points"] as? [[Any]] ?? []).compactMap { $0.last as? Double }
            // Daily steps aligned to whole days: 31 buckets, each full one at the daily maximum.
            #expect(maxima.count == 31 && maxima.max() == 287 && maxima.filter { $0 == 287 }.count >= 29, "\(maxima)")

            // … and importing it again from the blocks changes nothing.
            let second = try await Self.importing(client, document)
            #expect(Self.counts(second)["samplesAlreadyPresent"] == total && Self.counts(second)["samplesWritten"] == 0,
                    "\(String(buffer: second.body).prefix(500))")
            // A stored time with another value: the stored value stays, and the answer says so.
            let changed = try await Self.importing(client, #"{"resources": [], "series": [{"resource": "p2v-1", "metric": "cpu_used_cores", "samples": [[\#(start), 999]]}]}"#)
            #expect(Self.counts(changed)["samplesConflicting"] == 1 && Self.counts(changed)["samplesWritten"] == 0, "\(String(buffer: changed.body))")
        }
    }

    @Test func aDocumentAboveTheBodyLimitIsRefusedAsTooLarge() async throws {
        let harness = try ServerHarness { $0.maxImportBytes = 4096 }
        try await harness.test { client in
            let keys = (0..<200).map { #"{"kind": "platform", "key": "host-\#($0)"}"# }.joined(separator: ",")
            let response = try await Self.importing(client, #"{"resources": [\#(keys)]}"#)
            #expect(response.status == .contentTooLarge, "\(String(buffer: response.body))")
            #expect(String(buffer: response.body).contains("larger than 4096 bytes"))
        }
    }
}
