import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// PromQL's cross-layer labels and info series through `/prometheus/api/v1/`, over what agents report: a guest
/// matched to a VM that relocates from hypervisor A to B, joined to `strata_placement_info` at each point in time.
@Suite struct CrossLayerLabelsTests {
    static let uuid = "6c3d5e7a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
    static let mac = "52:54:00:0a:00:01"
    /// A whole minute two hours ago: the first report.
    static let t0 = (WallClock.nowMs() / 60_000 - 120) * 60_000
    /// When the VM moves to host B.
    static let moved = t0 + 20 * 60_000

    static func id(_ kind: ResourceKind, _ key: String, tenant: String = "default") -> String {
        StableID.resource(tenant: tenant, kind: kind, key: key).description
    }

    static let hostA = id(.platform, "machine-id:host-a"), hostB = id(.platform, "machine-id:host-b")
    static let hypervisorA = id(.hypervisor, "machine-id:host-a/libvirt:test:///a"), hypervisorB = id(.hypervisor, "machine-id:host-b/libvirt:test:///b")
    static let vm = id(.vm, ResourceKey.vm(uuid: uuid)), guest = id(.platform, "machine-id:guest")

    /// A hypervisor host's report at `time`: its platform, its hypervisor (up), and the VM when it lists it.
    static func hostBatch(_ host: String, uri: String, sequence: UInt64, time: Int64, listsVM: Bool) -> AgentBatch {
        var resources = [
            ResourceReport(kind: .platform, key: "machine-id:\(host)", name: host, properties: .map([("hostname", .string(host))])),
            ResourceReport(kind: .hypervisor, key: "machine-id:\(host)/libvirt:\(uri)", name: "kvm on \(host)", parentIndex: 0,
                           properties: .map([("uri", .string(uri))])),
        ]
        var series = [SeriesPoints(resourceIndex: 1, metric: "up", type: .gauge, labels: [:], points: [Sample(time, 1)])]
        if listsVM {
            resources.append(ResourceReport(kind: .vm, key: ResourceKey.vm(uuid: uuid), name: "crm-web", parentIndex: 1, properties: .map([
                ("state", .string("running")), ("nics", .list([.map([("mac", .string(mac))])])),
            ])))
            series.append(SeriesPoints(resourceIndex: 2, metric: "up", type: .gauge, labels: [:], points: [Sample(time, 1)]))
        }
        return AgentBatch(agentID: "agent-\(host)", sequence: sequence, createdAtMs: time, intervalMs: 60_000, agentVersion: "test",
                          resources: resources, series: series)
    }

    /// The guest's report: its platform (SMBIOS UUID and MAC of the VM), an nginx server on it, and a gauge each
    /// minute for 40 minutes.
    static func guestBatch() -> AgentBatch {
        let minutes = (0...40).map { t0 + Int64($0) * 60_000 }
        return AgentBatch(agentID: "agent-guest", sequence: 1, createdAtMs: t0, intervalMs: 60_000, agentVersion: "test", resources: [
            ResourceReport(kind: .platform, key: "machine-id:guest", name: "crm-web.lan", properties: .map([
                ("smbios", .map([("product_uuid", .string(uuid))])), ("nics", .list([.map([("mac", .string(mac))])])),
            ])),
            ResourceReport(kind: .server, key: "machine-id:guest/nginx", name: "nginx", parentIndex: 0),
        ], series: [
            SeriesPoints(resourceIndex: 0, metric: "cpu_usage_ratio", type: .gauge, labels: [:], points: minutes.map { Sample($0, 0.5) }),
            SeriesPoints(resourceIndex: 1, metric: "nginx_connections", type: .gauge, labels: [:], points: minutes.map { Sample($0, 3) }),
        ])
    }

    /// Host A runs the VM from `t0`, the guest reports, and at `moved` host A lets it go and host B runs it.
    static func seed(_ server: StrataServer) async throws {
        let pipeline = IngestPipeline(catalog: server.catalog, store: server.store, events: server.events, logger: Logger(label: "test"))
        _ = try await pipeline.ingest(hostBatch("host-a", uri: "test:///a", sequence: 1, time: t0, listsVM: true), tenantID: "default", nowMs: t0)
        _ = try await pipeline.ingest(hostBatch("host-b", uri: "test:///b", sequence: 1, time: t0, listsVM: false), tenantID: "default", nowMs: t0)
        _ = try await pipeline.ingest(guestBatch(), tenantID: "default", nowMs: t0)
        _ = try await pipeline.ingest(hostBatch("host-a", uri: "test:///a", sequence: 2, time: moved, listsVM: false), tenantID: "default", nowMs: moved)
        _ = try await pipeline.ingest(hostBatch("host-b", uri: "test:///b", sequence: 2, time: moved, listsVM: true), tenantID: "default", nowMs: moved)
    }

    static func seconds(_ ms: Int64) -> String { String(Double(ms) / 1000) }

    static func result(_ response: TestResponse) -> [[String: Any]] {
        (response.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
    }

    @Test func aGuestsMetricJoinedToPlacementInfoGivesHostABeforeTheMoveAndHostBAfter() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            try await Self.seed(harness.server)
            let relocated = try await client.execute(uri: "/api/v1/events?resource=\(Self.vm)&kind=relocated", method: .get, headers: ServerHarness.adminBasic)
            #expect(String(buffer: relocated.body).contains("relocated from"), "the VM relocated: \(String(buffer: relocated.body))")
            let query = "cpu_usage_ratio * on(vm) group_left(host, host_name) strata_placement_info"
            let response = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query_range", [
                ("query", query), ("start", Self.seconds(Self.t0 + 5 * 60_000)), ("end", Self.seconds(Self.t0 + 35 * 60_000)), ("step", "300"),
            ])
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let series = Self.result(response)
            let byHost = Dictionary(uniqueKeysWithValues: series.compactMap { item -> (String, [Int64])? in
                guard let metric = item["metric"] as? [String: String], let name = metric["host_name"],
                      let values = item["values"] as? [[Any]] else { return nil }
                #expect(metric["vm"] == Self.vm && metric["platform"] == Self.guest && metric["resource_kind"] == "platform")
                return (name, values.compactMap { ($0.first as? Double).map { Int64($0 * 1000) } })
            })
            let minute: Int64 = 60_000
            #expect(byHost["host-a"] == [5, 10, 15].map { Self.t0 + $0 * minute }, "host A until the move")
            #expect(byHost["host-b"] == [20, 25, 30, 35].map { Self.t0 + $0 * minute }, "host B from the move on")
            #expect(series.count == 2)

            // The same at one instant, and the placement alone.
            let before = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "strata_placement_info{vm=\"\(Self.vm)\"}"), ("time", Self.seconds(Self.moved - 1)),
            ])
            #expect(Self.result(before).compactMap { ($0["metric"] as? [String: String])?["hypervisor"] } == [Self.hypervisorA])
            let after = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "strata_placement_info{vm=\"\(Self.vm)\"}"), ("time", Self.seconds(Self.moved))])
            #expect(Self.result(after).compactMap { ($0["metric"] as? [String: String])?["host"] } == [Self.hostB])
        }
    }

    @Test func selectorsOnDerivedLabelsFindTheSeriesOfTheResourcesTheyName() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            try await Self.seed(harness.server)
            let time = Self.seconds(Self.t0 + 2 * 60_000)  // the hosts' `up` (at t0 only) is still within the lookback
            let server = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "{resource_kind=\"server\", platform=\"\(Self.guest)\"}"), ("time", time)])
            let metrics = Self.result(server).compactMap { $0["metric"] as? [String: String] }
            // nginx's gauge; info series only answer a selector that names them.
            #expect(metrics.compactMap { $0["__name__"] } == ["nginx_connections"], "\(String(buffer: server.body))")
            #expect(metrics.allSatisfy { $0["vm"] == Self.vm && $0["resource_name"] == "nginx" })
            let byVM = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [("query", "count({vm=\"\(Self.vm)\"})"), ("time", time)])
            // The guest's and nginx's gauges and the VM's own `up`.
            #expect((Self.result(byVM).first?["value"] as? [Any])?.last as? String == "3", "\(String(buffer: byVM.body))")
            let described = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "count({__name__=~\"strata_.+\", vm=\"\(Self.vm)\"})"), ("time", time)])
            // Its placement, and the resource info of the VM, the guest and nginx.
            #expect((Self.result(described).first?["value"] as? [Any])?.last as? String == "4", "\(String(buffer: described.body))")
            let hypervisor = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "up{hypervisor=\"\(Self.hypervisorA)\"}"), ("time", time)])
            #expect(Self.result(hypervisor).compactMap { ($0["metric"] as? [String: String])?["host"] } == [Self.hostA])
            let values = try await client.execute(uri: "/prometheus/api/v1/label/platform/values", method: .get, headers: ServerHarness.adminBasic)
            #expect(Set(values.data as? [String] ?? []) == [Self.hostA, Self.hostB, Self.guest])
            let info = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [
                ("query", "strata_resource_info{resource_kind=\"server\"} * on(resource_id) group_left() nginx_connections"), ("time", time)])
            #expect(Self.result(info).count == 1, "\(String(buffer: info.body))")
        }
    }

    @Test func eachTenantSeesOnlyItsOwnInfoSeries() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            try await Self.seed(harness.server)
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let pipeline = IngestPipeline(catalog: harness.server.catalog, store: harness.server.store, events: harness.server.events,
                                          logger: Logger(label: "test"))
            var batch = testBatch(agent: "agent-beta", sequence: 1, machine: "beta-1", start: Self.t0)
            batch.createdAtMs = Self.t0
            _ = try await pipeline.ingest(batch, tenantID: "beta", nowMs: Self.t0)
            let time = Self.seconds(Self.t0 + 60_000)
            let query = "count by (resource_kind) (strata_resource_info)"
            let mine = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [("query", query), ("time", time)])
            let counts = Dictionary(uniqueKeysWithValues: Self.result(mine).compactMap { item -> (String, String)? in
                guard let kind = (item["metric"] as? [String: String])?["resource_kind"], let value = (item["value"] as? [Any])?.last as? String else { return nil }
                return (kind, value)
            })
            #expect(counts == ["platform": "3", "hypervisor": "2", "vm": "1", "server": "1"], "\(String(buffer: mine.body))")
            let theirs = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [("query", "strata_resource_info"), ("time", time)], boss)
            #expect(Self.result(theirs).compactMap { ($0["metric"] as? [String: String])?["resource_name"] } == ["host-beta-1"])
            let placements = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [("query", "strata_placement_info"), ("time", time)], boss)
            #expect(placements.status == .ok && Self.result(placements).isEmpty)
        }
    }
}
